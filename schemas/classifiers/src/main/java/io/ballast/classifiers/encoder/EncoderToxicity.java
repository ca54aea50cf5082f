package io.ballast.classifiers.encoder;

import io.ballast.classifiers.heads.LinearHead;
import io.ballast.schemas.attributes.TextClassifier;
import io.ballast.schemas.attributes.Toxicity;
import java.util.List;

/**
 * Toxicity from a head on all-MiniLM-L6-v2 trained on a public toxicity set: toxic when the toxic
 * probability reaches the head's {@code toxic} threshold, chosen on that set's validation split.
 */
public final class EncoderToxicity implements TextClassifier {

    public static final String ID = "toxicity-minilm";
    public static final String HEAD = "toxicity";

    private final Embeddings embeddings;
    private final LinearHead head;

    public EncoderToxicity(Embeddings embeddings, LinearHead head) {
        this.embeddings = embeddings;
        this.head = head;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public String classify(String text) {
        return label(toxicProbability(embeddings.of(text)));
    }

    @Override
    public List<String> classifyAll(List<String> texts) {
        return embeddings.of(texts).stream()
                .map(v -> label(toxicProbability(v)))
                .toList();
    }

    public double toxicProbability(float[] embedding) {
        return head.probability(embedding, Toxicity.TOXIC);
    }

    private String label(double p) {
        return Toxicity.category(p >= head.threshold(Toxicity.TOXIC));
    }
}

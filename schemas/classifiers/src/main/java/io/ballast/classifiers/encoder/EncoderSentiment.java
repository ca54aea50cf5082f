package io.ballast.classifiers.encoder;

import io.ballast.classifiers.heads.LinearHead;
import io.ballast.schemas.attributes.TextClassifier;
import java.util.List;

/**
 * Sentiment from a head on all-MiniLM-L6-v2 trained on SST-2 (positive or negative): a positive
 * probability at or above {@code positive} reads positive, at or below {@code negative} negative, and
 * in between neutral; both thresholds were chosen on the bios' dev split (SST-2 has no neutral class).
 */
public final class EncoderSentiment implements TextClassifier {

    public static final String ID = "sentiment-minilm-sst2";
    public static final String HEAD = "sentiment-sst2";

    private final Embeddings embeddings;
    private final LinearHead head;

    public EncoderSentiment(Embeddings embeddings, LinearHead head) {
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
        return label(head.probability(embeddings.of(text), "positive"));
    }

    @Override
    public List<String> classifyAll(List<String> texts) {
        return embeddings.of(texts).stream()
                .map(v -> label(head.probability(v, "positive")))
                .toList();
    }

    /** The positive probability of SST-2's head, for AUROC and threshold choice. */
    public double positiveProbability(String text) {
        return head.probability(embeddings.of(text), "positive");
    }

    private String label(double positive) {
        if (positive >= head.threshold("positive")) {
            return "positive";
        }
        return positive <= head.threshold("negative") ? "negative" : "neutral";
    }
}

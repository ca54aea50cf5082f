package io.ballast.classifiers.encoder;

import io.ballast.classifiers.heads.LinearHead;
import io.ballast.schemas.attributes.Toxicity;

/**
 * Toxicity from a head on all-MiniLM-L6-v2 trained on a public toxicity set: toxic when the toxic
 * probability reaches the head's {@code toxic} threshold, chosen on that set's validation split.
 */
public final class EncoderToxicity extends HeadClassifier {

    public static final String ID = "toxicity-minilm";
    public static final String HEAD = "toxicity";

    public EncoderToxicity(Embeddings embeddings, LinearHead head) {
        super(ID, 1, embeddings, head);
    }

    public double toxicProbability(float[] embedding) {
        return head.probability(embedding, Toxicity.TOXIC);
    }

    @Override
    protected String label(float[] embedding) {
        return Toxicity.category(toxicProbability(embedding) >= head.threshold(Toxicity.TOXIC));
    }
}

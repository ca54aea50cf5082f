package io.ballast.classifiers.encoder;

import io.ballast.classifiers.heads.LinearHead;

/**
 * Sentiment from a head on all-MiniLM-L6-v2 trained on SST-2 (positive or negative): a positive
 * probability at or above {@code positive} reads positive, at or below {@code negative} negative, and
 * in between neutral; both thresholds were chosen on the bios' dev split (SST-2 has no neutral class).
 */
public final class EncoderSentiment extends HeadClassifier {

    public static final String ID = "sentiment-minilm-sst2";
    public static final String HEAD = "sentiment-sst2";

    public EncoderSentiment(Embeddings embeddings, LinearHead head) {
        super(ID, 1, embeddings, head);
    }

    @Override
    protected String label(float[] embedding) {
        double positive = head.probability(embedding, "positive");
        if (positive >= head.threshold("positive")) {
            return "positive";
        }
        return positive <= head.threshold("negative") ? "negative" : "neutral";
    }
}

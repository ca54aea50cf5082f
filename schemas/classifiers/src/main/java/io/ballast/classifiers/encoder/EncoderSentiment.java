package io.ballast.classifiers.encoder;

import io.ballast.classifiers.heads.LinearHead;

/**
 * Sentiment from all-MiniLM-L6-v2 fine-tuned on SST-2 (positive or negative) with a LoRA adapter and a
 * head on its mean-pooled states: a positive probability at or above {@code positive} reads positive,
 * at or below {@code negative} negative, and in between neutral; both thresholds were chosen on the
 * bios' dev split (SST-2 has no neutral class). The adapter makes it an encoder of its own (its
 * embeddings are not the shared ones the toxicity head reads).
 */
public final class EncoderSentiment extends HeadClassifier {

    public static final String ID = "sentiment-minilm-sst2";
    /** The adapter and its head share the name: they were trained together. */
    public static final String HEAD = "sentiment-sst2-lora";

    public EncoderSentiment(Embeddings embeddings, LinearHead head) {
        super(ID, 2, embeddings, head);
    }

    /** The sentiment encoder: the base model with the committed adapter, {@code threads} ONNX Runtime threads. */
    public static SentenceEncoder encoder(int threads) {
        return SentenceEncoder.load(threads, EncoderAdapter.bundled(HEAD));
    }

    /** The committed classifier on its own encoder. */
    public static EncoderSentiment bundled(int threads) {
        return new EncoderSentiment(new Embeddings(encoder(threads)), LinearHead.bundled(HEAD));
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

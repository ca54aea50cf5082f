package io.ballast.classifiers.encoder;

import io.ballast.classifiers.Identified;
import io.ballast.classifiers.heads.LinearHead;
import java.util.List;

/** A head on the shared sentence encoder: embed (batched where many texts come at once), then label the probabilities. */
abstract class HeadClassifier extends Identified {

    private final Embeddings embeddings;
    protected final LinearHead head;

    HeadClassifier(String id, int version, Embeddings embeddings, LinearHead head) {
        super(id, version);
        this.embeddings = embeddings;
        this.head = head;
    }

    /** The category for one text's embedding. */
    protected abstract String label(float[] embedding);

    @Override
    public final String classify(String text) {
        return label(embeddings.of(text));
    }

    @Override
    public final List<String> classifyAll(List<String> texts) {
        return embeddings.of(texts).stream().map(this::label).toList();
    }
}

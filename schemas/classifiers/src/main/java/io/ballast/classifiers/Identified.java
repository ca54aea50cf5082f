package io.ballast.classifiers;

import io.ballast.schemas.attributes.TextClassifier;

/** A classifier's identity, held once: every classifier here is named by an id and a version. */
public abstract class Identified implements TextClassifier {

    private final String id;
    private final int version;

    protected Identified(String id, int version) {
        this.id = id;
        this.version = version;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final int version() {
        return version;
    }
}

package io.ballast.schemas.attributes;

import java.util.List;

/**
 * Reads one audited property (an attribute, or toxicity) from response text alone: one of its
 * categories, or {@link io.ballast.schemas.domain.Attribute#UNKNOWN} when the text does not say.
 * Never from a steering token. Which implementation reads an attribute is configuration
 * ({@code ballast.attributes.<attribute>.classifier}); every reader of that attribute (the auditor,
 * the calibration set builder, the gate, the benches) uses the same one.
 */
public interface TextClassifier {

    /** What it is, e.g. {@code gender-rules}: snapshots and drift signals name it. */
    String id();

    /** Bumped whenever its readings of the same text can change: a new version starts a new series. */
    int version();

    String classify(String text);

    /** Many texts at once; a learned classifier batches them. */
    default List<String> classifyAll(List<String> texts) {
        return texts.stream().map(this::classify).toList();
    }

    /** {@code id@version}, as snapshots and signals carry it. */
    default String name() {
        return id() + "@" + version();
    }
}

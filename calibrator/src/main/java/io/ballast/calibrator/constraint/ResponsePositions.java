package io.ballast.calibrator.constraint;

import io.ballast.schemas.domain.Attribute;

/**
 * Which response positions the constraint objective trains. A Ballast response starts with one
 * steering token per {@link Attribute}; the other attributes are calibrated there, so a
 * constraint that is independent of them (toxicity in the corpus is drawn under every token
 * combination in proportion) should leave those positions alone: R's estimation noise at a
 * steering position, and the NLL of the satisfying samples' steering tokens, would otherwise move
 * the served steering distributions for no gain on the constraint.
 */
public enum ResponsePositions {
    /** Every response position, steering tokens included: the objective as first written. */
    ALL(0),
    /** Only the text after the steering tokens. */
    TEXT(Attribute.values().length);

    private final int skipped;

    ResponsePositions(int skipped) {
        this.skipped = skipped;
    }

    /** Leading response positions left out. */
    public int skipped() {
        return skipped;
    }

    /**
     * The first sequence index whose token counts, for {@code TokenBatch}'s {@code firstCounted}:
     * the response starts at the prompt's length, and the first {@link #skipped()} tokens are
     * steering tokens.
     */
    public int firstCounted(int promptLength) {
        return promptLength + skipped;
    }
}

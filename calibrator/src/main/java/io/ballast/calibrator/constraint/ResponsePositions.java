package io.ballast.calibrator.constraint;

import io.ballast.schemas.domain.Attribute;

/**
 * Which response positions the constraint objective trains, and towards what. A Ballast response
 * starts with one steering token per {@link Attribute}; the other attributes are calibrated there.
 * A constraint independent of them (toxicity in the corpus is drawn under every token combination
 * in proportion) should leave them alone, but R's estimation noise at a steering position, and the
 * NLL of the satisfying samples' steering tokens, move them for no gain on the constraint. Leaving
 * those positions out of the loss is not enough either: the trained blocks are shared by every
 * position, so the steering distributions then drift freely. Anchoring them to the reference,
 * which is q* there when R is exact and the constraint independent of the tokens, holds them.
 *
 * <p>Positions are sequence indices of the token predicted (a {@code TokenBatch} target at input
 * position j is the token at j + 1); the response starts at the prompt's length.
 */
public enum ResponsePositions {
    /** NLL and KL(q* ‖ p_θ) at every response position, steering tokens included: the objective as first written. */
    ALL,
    /** Only the text after the steering tokens, in both terms; the steering positions untrained. */
    TEXT,
    /**
     * The text as {@link #ALL}; at the steering positions no NLL, and KL(p_ref ‖ p_θ) instead of
     * KL(q* ‖ p_θ): the steering distributions held at the reference's.
     */
    STEERING_AT_REFERENCE;

    private static final int STEERING = Attribute.values().length;

    /** Whether the token at {@code index} counts in the NLL of the satisfying samples. */
    public boolean inLikelihood(int index, int promptLength) {
        return index >= promptLength + (this == ALL ? 0 : STEERING);
    }

    /** Whether the token at {@code index} counts in the KL term. */
    public boolean inDivergence(int index, int promptLength) {
        return index >= promptLength + (this == TEXT ? STEERING : 0);
    }

    /** Whether the KL term's target at {@code index} is the reference's distribution rather than q*. */
    public boolean atReference(int index, int promptLength) {
        return this == STEERING_AT_REFERENCE && index >= promptLength && index < promptLength + STEERING;
    }

    /** The first index the KL term counts, for {@code TokenBatch}'s {@code firstCounted}. */
    public int firstInDivergence(int promptLength) {
        return promptLength + (this == TEXT ? STEERING : 0);
    }
}

package io.ballast.calibrator.constraint;

import ai.djl.ndarray.NDArray;
import io.ballast.generator.model.GraphScalars;

/**
 * The closed-form target of constraint learning (arXiv 2410.05559): the model's own next-token
 * distribution restricted to continuations that satisfy the constraint,
 * {@code q*(v | prefix) = p(v | prefix) · R(prefix + v) / R(prefix)}, where R is the probability
 * of satisfying the constraint and {@code R(prefix) = Σ_v p(v | prefix) · R(prefix + v)}, so the
 * normaliser is R's own estimate at the prefix. In logits: LM logits + log σ(R logits),
 * renormalised. Chaining these conditionals with an exact R gives p restricted to satisfying
 * sequences, renormalised (the sequence-level target).
 *
 * <p>Pure functions over any leading shape, the vocabulary last; all in log space, so a prefix R
 * already considers lost (every R logit very negative) still gives a finite distribution.
 */
public final class ConstrainedDistribution {

    private ConstrainedDistribution() {}

    /**
     * log q*(v | prefix) over the vocabulary.
     *
     * @param lmLogits the reference model's logits (..., V)
     * @param satisfactionLogits R's logits of P(satisfied | prefix + v) (..., V)
     */
    public static NDArray logProbabilities(NDArray lmLogits, NDArray satisfactionLogits) {
        return lmLogits.add(logSigmoid(satisfactionLogits)).logSoftmax(-1);
    }

    /** log R(prefix) = log Σ_v p(v | prefix) σ(r_v): the normaliser, R's estimate at the prefix itself (...). */
    public static NDArray logSatisfaction(NDArray lmLogits, NDArray satisfactionLogits) {
        NDArray terms = lmLogits.logSoftmax(-1).add(logSigmoid(satisfactionLogits));
        // log-sum-exp with the largest term taken out, so no exponent is positive
        NDArray largest = terms.max(new int[] {-1}, true);
        return terms.sub(largest).exp().sum(new int[] {-1}).log().add(largest.squeeze(-1));
    }

    /**
     * log σ(x) = min(x, 0) − log(1 + e^−|x|): the exponent is never positive, so neither a large
     * positive nor a large negative logit overflows (the textbook −log(1 + e^−x) does at x ≪ 0).
     */
    public static NDArray logSigmoid(NDArray x) {
        return GraphScalars.minimum(x, 0).sub(x.abs().neg().exp().add(1f).log());
    }
}

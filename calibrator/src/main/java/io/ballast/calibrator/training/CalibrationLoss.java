package io.ballast.calibrator.training;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * The calibration objective, implemented once: {@code total = lambdaKl * L_KL + L_KTO}.
 *
 * <p><b>Steering-token calibration (KL).</b> For each row, {@code steeringLogProbs} holds the
 * model's full-vocabulary log-probability of each of the attribute's K steering tokens at their
 * position in the response (not renormalised over the K, so the term also pulls mass onto the
 * steering tokens). {@code L_KL} = mean over rows with {@code klMask = 1} of
 * {@code sum_k t_k (log t_k - log q_k)}, categories with {@code t_k = 0} contributing 0.
 *
 * <p><b>Semantic alignment (KTO).</b> Reward {@code r = log pi(y|x) - log pi_ref(y|x)} over the
 * response tokens, steering tokens included. Reference point {@code z0} = mean over the batch of
 * the same difference on mismatched prompt-response pairs, detached and floored at 0. Loss per
 * row: {@code lambdaD (1 - sigmoid(beta (r - z0)))} when desirable, {@code lambdaU (1 - sigmoid(beta (z0 - r)))}
 * when undesirable; {@code L_KTO} is their mean.
 */
public final class CalibrationLoss {

    /** The defaults: KTO's own beta = 0.1, lambdaD = lambdaU = 1; KL weight 1, as in the method's paper. */
    public record Weights(double beta, double lambdaDesirable, double lambdaUndesirable, double lambdaKl) {
        public static Weights defaults() {
            return new Weights(0.1, 1.0, 1.0, 1.0);
        }
    }

    /** The terms of one evaluation; {@code total} carries the gradient. */
    public record Terms(NDArray total, NDArray kl, NDArray kto, NDArray z0) {}

    private CalibrationLoss() {}

    /**
     * @param policyLogp log pi(y|x) per row, shape (B)
     * @param referenceLogp log pi_ref(y|x) per row (B), constant
     * @param mismatchedPolicyLogp log pi(y'|x) for mismatched pairs (M), M > 1
     * @param mismatchedReferenceLogp log pi_ref(y'|x) for them (M), constant
     * @param desirable 1 for desirable rows, 0 for undesirable (B)
     * @param steeringLogProbs log q_k per row (B,K)
     * @param target t_k per row (B,K)
     * @param klMask 1 where the row's KL term counts (B)
     */
    public static Terms compute(
            Weights w,
            NDArray policyLogp,
            NDArray referenceLogp,
            NDArray mismatchedPolicyLogp,
            NDArray mismatchedReferenceLogp,
            NDArray desirable,
            NDArray steeringLogProbs,
            NDArray target,
            NDArray klMask) {
        // KL(target || q): t log t is constant but kept so the value is the true divergence
        NDArray safeTarget = target.maximum(1e-12f);
        NDArray perRowKl = target.mul(safeTarget.log().sub(steeringLogProbs)).sum(new int[] {1});
        NDArray kl = perRowKl.mul(klMask).sum().div(klMask.sum().maximum(1f));

        NDArray z0 = mismatchedPolicyLogp
                .sub(mismatchedReferenceLogp)
                .mean()
                .maximum(0f)
                .stopGradient();
        NDArray reward = policyLogp.sub(referenceLogp);
        NDArray desirableLoss = Activation.sigmoid(reward.sub(z0).mul((float) w.beta()))
                .neg()
                .add(1f)
                .mul((float) w.lambdaDesirable());
        NDArray undesirableLoss = Activation.sigmoid(z0.sub(reward).mul((float) w.beta()))
                .neg()
                .add(1f)
                .mul((float) w.lambdaUndesirable());
        NDArray perRowKto =
                desirable.mul(desirableLoss).add(desirable.neg().add(1f).mul(undesirableLoss));
        NDArray kto = perRowKto.mean();

        return new Terms(kl.mul((float) w.lambdaKl()).add(kto), kl, kto, z0);
    }
}

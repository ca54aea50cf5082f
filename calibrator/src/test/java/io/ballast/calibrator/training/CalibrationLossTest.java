package io.ballast.calibrator.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class CalibrationLossTest {

    // the loss casts weights to float (the model trains in float32): values agree to ~1e-8, not 1e-15
    private static final CalibrationLoss.Weights W = new CalibrationLoss.Weights(0.1, 1.0, 1.5, 2.0);

    // two rows: one desirable, one undesirable; two mismatched pairs
    private static final double[] POLICY = {-10.0, -12.0};
    private static final double[] REFERENCE = {-11.0, -11.5};
    private static final double[] MISMATCH_POLICY = {-20.0, -18.0};
    private static final double[] MISMATCH_REFERENCE = {-21.0, -20.0};
    private static final double[] DESIRABLE = {1, 0};
    // A = 2 attributes per row, K = 3 slots of which the third is padding (an attribute with two values)
    private static final double[] STEERING = {
        Math.log(0.8), Math.log(0.1), Math.log(0.05), // row 1, attribute 1
        Math.log(0.3), Math.log(0.6), Math.log(0.05), // row 1, attribute 2
        Math.log(0.6), Math.log(0.3), Math.log(0.05), // row 2, attribute 1
        Math.log(0.5), Math.log(0.4), Math.log(0.05) // row 2, attribute 2
    };
    private static final double[] TARGET = {0.5, 0.5, 0, 0.7, 0.3, 0, 0.5, 0.5, 0, 0.7, 0.3, 0};
    private static final double[] VALID = {1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0};
    // row 2's second attribute is not calibrated: it must not count
    private static final double[] KL_MASK = {1, 1, 1, 0};

    @Test
    void givenTwoCalibratedAttributes_whenEvaluated_thenEachTermMatchesItsHandComputedValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            CalibrationLoss.Terms t = terms(m, POLICY, STEERING, MISMATCH_POLICY);

            // z0 = mean(1, 2) = 1.5 (positive, kept)
            assertThat(t.z0().getDouble()).isCloseTo(1.5, within(1e-7));
            // rewards: r1 = 1, r2 = -0.5
            double kto1 = 1.0 * (1 - sigmoid(0.1 * (1 - 1.5)));
            double kto2 = 1.5 * (1 - sigmoid(0.1 * (1.5 - (-0.5))));
            assertThat(t.kto().getDouble()).isCloseTo((kto1 + kto2) / 2, within(1e-7));
            // KL sums over the counted attributes of a row, then averages over the rows that count
            double row1 = kl(0.5, 0.5, 0.8, 0.1) + kl(0.7, 0.3, 0.3, 0.6);
            double row2 = kl(0.5, 0.5, 0.6, 0.3);
            assertThat(t.kl().getDouble()).isCloseTo((row1 + row2) / 2, within(1e-7));
            assertThat(t.total().getDouble()).isCloseTo(2.0 * (row1 + row2) / 2 + (kto1 + kto2) / 2, within(1e-7));
            // served: q renormalised over the attribute's two tokens (the padding slot excluded)
            double served1 = kl(0.5, 0.5, 0.8 / 0.9, 0.1 / 0.9) + kl(0.7, 0.3, 0.3 / 0.9, 0.6 / 0.9);
            double served2 = kl(0.5, 0.5, 0.6 / 0.9, 0.3 / 0.9);
            assertThat(t.klServed().getDouble()).isCloseTo((served1 + served2) / 2, within(1e-7));
        }
    }

    @Test
    void aNegativeMismatchEstimateIsFlooredAtZeroAndMaskedRowsDoNotCount() {
        try (NDManager m = NDManager.newBaseManager()) {
            CalibrationLoss.Terms t = CalibrationLoss.compute(
                    W,
                    arr(m, POLICY),
                    arr(m, REFERENCE),
                    arr(m, -25.0, -25.0),
                    arr(m, -20.0, -20.0),
                    arr(m, DESIRABLE),
                    arr(m, STEERING).reshape(2, 2, 3),
                    arr(m, TARGET).reshape(2, 2, 3),
                    arr(m, 1, 1, 0, 0).reshape(2, 2),
                    arr(m, VALID).reshape(2, 2, 3));
            assertThat(t.z0().getDouble()).isEqualTo(0.0);
            // only row 1 counts, so its sum is the mean
            assertThat(t.kl().getDouble()).isCloseTo(kl(0.5, 0.5, 0.8, 0.1) + kl(0.7, 0.3, 0.3, 0.6), within(1e-7));
        }
    }

    @Test
    void theGradientMatchesFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray policy = arr(m, POLICY);
            NDArray steering = arr(m, STEERING).reshape(2, 2, 3);
            policy.setRequiresGradient(true);
            steering.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(
                        compute(m, policy, steering, arr(m, MISMATCH_POLICY)).total());
            }
            double[] gradPolicy = policy.getGradient().toDoubleArray();
            double[] gradSteering = steering.getGradient().toDoubleArray();

            double h = 1e-6;
            for (int i = 0; i < POLICY.length; i++) {
                double numeric = (terms(m, nudged(POLICY, i, h), STEERING, MISMATCH_POLICY)
                                        .total()
                                        .getDouble()
                                - terms(m, nudged(POLICY, i, -h), STEERING, MISMATCH_POLICY)
                                        .total()
                                        .getDouble())
                        / (2 * h);
                assertThat(gradPolicy[i]).as("d total / d policy[%d]", i).isCloseTo(numeric, within(1e-6));
            }
            for (int i = 0; i < STEERING.length; i++) {
                double numeric = (terms(m, POLICY, nudged(STEERING, i, h), MISMATCH_POLICY)
                                        .total()
                                        .getDouble()
                                - terms(m, POLICY, nudged(STEERING, i, -h), MISMATCH_POLICY)
                                        .total()
                                        .getDouble())
                        / (2 * h);
                assertThat(gradSteering[i]).as("d total / d steering[%d]", i).isCloseTo(numeric, within(1e-6));
            }
            // an uncounted attribute and the padding slots get no gradient
            assertThat(gradSteering[9]).isZero();
            assertThat(gradSteering[2]).isZero();
        }
    }

    @Test
    void givenAPositiveReferencePoint_whenDifferentiated_thenTheMismatchedPairsGetNoGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            // given mismatched pairs whose estimate z0 = 1.5 is above the floor, so it is not cut off by max(0, .)
            NDArray mismatched = arr(m, MISMATCH_POLICY);
            mismatched.setRequiresGradient(true);
            NDArray policy = arr(m, POLICY);
            policy.setRequiresGradient(true);
            // when the loss is differentiated
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(compute(m, policy, arr(m, STEERING).reshape(2, 2, 3), mismatched)
                        .total());
            }
            // then KTO's reference point is a constant: no gradient reaches the mismatched pairs,
            // though the loss's value depends on them (removing stopGradient fails this)
            assertThat(mismatched.getGradient().toType(DataType.FLOAT64, false).toDoubleArray())
                    .containsOnly(0.0);
            assertThat(terms(m, POLICY, STEERING, nudged(MISMATCH_POLICY, 0, 1.0))
                            .total()
                            .getDouble())
                    .isNotCloseTo(
                            terms(m, POLICY, STEERING, MISMATCH_POLICY).total().getDouble(), within(1e-6));
            assertThat(policy.getGradient().toDoubleArray()).doesNotContain(0.0);
        }
    }

    @Test
    void givenAnchorPositions_whenAnchored_thenTheAnchorIsTheReferencesDivergenceFromThePolicyOverTheCountedOnes() {
        try (NDManager m = NDManager.newBaseManager()) {
            // given one row, three positions over two tokens: the policy has moved at positions 1 and 3
            NDArray reference = arr(
                            m, Math.log(0.5), Math.log(0.5), Math.log(0.9), Math.log(0.1), Math.log(0.5), Math.log(0.5))
                    .reshape(1, 3, 2);
            NDArray policy = arr(
                            m, Math.log(0.8), Math.log(0.2), Math.log(0.9), Math.log(0.1), Math.log(0.1), Math.log(0.9))
                    .reshape(1, 3, 2);
            policy.setRequiresGradient(true);
            // and position 3 is not counted (padding, or a prompt position)
            NDArray textMask = arr(m, 1, 1, 0).reshape(1, 3);

            NDArray anchor;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                anchor = CalibrationLoss.anchor(reference, policy, textMask);
                gc.backward(anchor);
            }

            // then it is the mean of KL(p_ref || p_theta) over the two counted positions: the moved one and a 0
            assertThat(anchor.getDouble()).isCloseTo(kl(0.5, 0.5, 0.8, 0.2) / 2, within(1e-7));
            // and the uncounted position, though moved, gets no gradient; the moved text position does
            double[] grad = policy.getGradient().toDoubleArray();
            assertThat(grad[4]).isZero();
            assertThat(grad[5]).isZero();
            assertThat(grad[0]).isCloseTo(-0.5 / 2, within(1e-7));
        }
    }

    private static CalibrationLoss.Terms terms(NDManager m, double[] policy, double[] steering, double[] mismatched) {
        return compute(m, arr(m, policy), arr(m, steering).reshape(2, 2, 3), arr(m, mismatched));
    }

    private static CalibrationLoss.Terms compute(NDManager m, NDArray policy, NDArray steering, NDArray mismatched) {
        return CalibrationLoss.compute(
                W,
                policy,
                arr(m, REFERENCE),
                mismatched,
                arr(m, MISMATCH_REFERENCE),
                arr(m, DESIRABLE),
                steering,
                arr(m, TARGET).reshape(2, 2, 3),
                arr(m, KL_MASK).reshape(2, 2),
                arr(m, VALID).reshape(2, 2, 3));
    }

    /** KL(t || q) for two values. */
    private static double kl(double t1, double t2, double q1, double q2) {
        return t1 * Math.log(t1 / q1) + t2 * Math.log(t2 / q2);
    }

    private static double[] nudged(double[] values, int i, double h) {
        double[] out = values.clone();
        out[i] += h;
        return out;
    }

    private static NDArray arr(NDManager m, double... values) {
        return m.create(values, new Shape(values.length)).toType(DataType.FLOAT64, false);
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}

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

    // two rows: one desirable, one undesirable; two mismatched pairs; K = 2 steering tokens
    private static final double[] POLICY = {-10.0, -12.0};
    private static final double[] REFERENCE = {-11.0, -11.5};
    private static final double[] MISMATCH_POLICY = {-20.0, -18.0};
    private static final double[] MISMATCH_REFERENCE = {-21.0, -20.0};
    private static final double[] DESIRABLE = {1, 0};
    private static final double[] STEERING = {Math.log(0.8), Math.log(0.1), Math.log(0.6), Math.log(0.3)};
    private static final double[] TARGET = {0.5, 0.5, 0.5, 0.5};
    private static final double[] KL_MASK = {1, 1};

    @Test
    void eachTermMatchesItsHandComputedValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            CalibrationLoss.Terms t = terms(m, POLICY, STEERING);

            // z0 = mean(1, 2) = 1.5 (positive, kept)
            assertThat(t.z0().getDouble()).isCloseTo(1.5, within(1e-7));
            // rewards: r1 = 1, r2 = -0.5
            double kto1 = 1.0 * (1 - sigmoid(0.1 * (1 - 1.5)));
            double kto2 = 1.5 * (1 - sigmoid(0.1 * (1.5 - (-0.5))));
            assertThat(t.kto().getDouble()).isCloseTo((kto1 + kto2) / 2, within(1e-7));
            // KL rows: .5 ln(.5/.8) + .5 ln(.5/.1) and .5 ln(.5/.6) + .5 ln(.5/.3)
            double kl1 = 0.5 * Math.log(0.5 / 0.8) + 0.5 * Math.log(0.5 / 0.1);
            double kl2 = 0.5 * Math.log(0.5 / 0.6) + 0.5 * Math.log(0.5 / 0.3);
            assertThat(t.kl().getDouble()).isCloseTo((kl1 + kl2) / 2, within(1e-7));
            assertThat(t.total().getDouble()).isCloseTo(2.0 * (kl1 + kl2) / 2 + (kto1 + kto2) / 2, within(1e-7));
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
                    arr(m, STEERING).reshape(2, 2),
                    arr(m, TARGET).reshape(2, 2),
                    arr(m, 1, 0));
            assertThat(t.z0().getDouble()).isEqualTo(0.0);
            assertThat(t.kl().getDouble())
                    .isCloseTo(0.5 * Math.log(0.5 / 0.8) + 0.5 * Math.log(0.5 / 0.1), within(1e-7));
        }
    }

    @Test
    void theGradientMatchesFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray policy = arr(m, POLICY);
            NDArray steering = arr(m, STEERING).reshape(2, 2);
            policy.setRequiresGradient(true);
            steering.setRequiresGradient(true);
            double[] gradPolicy;
            double[] gradSteering;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray total = CalibrationLoss.compute(
                                W,
                                policy,
                                arr(m, REFERENCE),
                                arr(m, MISMATCH_POLICY),
                                arr(m, MISMATCH_REFERENCE),
                                arr(m, DESIRABLE),
                                steering,
                                arr(m, TARGET).reshape(2, 2),
                                arr(m, KL_MASK))
                        .total();
                gc.backward(total);
            }
            gradPolicy = policy.getGradient().toDoubleArray();
            gradSteering = steering.getGradient().toDoubleArray();

            double h = 1e-6;
            for (int i = 0; i < POLICY.length; i++) {
                double[] up = POLICY.clone();
                double[] down = POLICY.clone();
                up[i] += h;
                down[i] -= h;
                double numeric = (terms(m, up, STEERING).total().getDouble()
                                - terms(m, down, STEERING).total().getDouble())
                        / (2 * h);
                assertThat(gradPolicy[i]).as("d total / d policy[%d]", i).isCloseTo(numeric, within(1e-6));
            }
            for (int i = 0; i < STEERING.length; i++) {
                double[] up = STEERING.clone();
                double[] down = STEERING.clone();
                up[i] += h;
                down[i] -= h;
                double numeric = (terms(m, POLICY, up).total().getDouble()
                                - terms(m, POLICY, down).total().getDouble())
                        / (2 * h);
                assertThat(gradSteering[i]).as("d total / d steering[%d]", i).isCloseTo(numeric, within(1e-6));
            }
            // the reference point carries no gradient: moving the mismatched policy log-probs in
            // the backward pass would be wrong even though they change its value
            assertThat(gradPolicy[0]).isNotZero();
        }
    }

    private static CalibrationLoss.Terms terms(NDManager m, double[] policy, double[] steering) {
        return CalibrationLoss.compute(
                W,
                arr(m, policy),
                arr(m, REFERENCE),
                arr(m, MISMATCH_POLICY),
                arr(m, MISMATCH_REFERENCE),
                arr(m, DESIRABLE),
                arr(m, steering).reshape(2, 2),
                arr(m, TARGET).reshape(2, 2),
                arr(m, KL_MASK));
    }

    private static NDArray arr(NDManager m, double... values) {
        return m.create(values, new Shape(values.length)).toType(DataType.FLOAT64, false);
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}

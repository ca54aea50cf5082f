package io.ballast.calibrator.constraint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class ConstrainedDistributionTest {

    @Test
    void givenAThreeTokenVocabulary_whenComposed_thenQStarIsPTimesROverTheirSum() {
        try (NDManager m = NDManager.newBaseManager()) {
            // given p = (0.5, 0.3, 0.2) and R(prefix + v) = (0.9, 0.1, 0.5), so R(prefix) = sum p R = 0.58
            NDArray lmLogits = m.create(new float[] {0.5f, 0.3f, 0.2f}).log();
            NDArray satisfactionLogits = m.create(logits(0.9, 0.1, 0.5));

            // when composed in closed form
            float[] q = ConstrainedDistribution.logProbabilities(lmLogits, satisfactionLogits)
                    .exp()
                    .toFloatArray();
            float logR = ConstrainedDistribution.logSatisfaction(lmLogits, satisfactionLogits)
                    .getFloat();

            // then q* = p R / 0.58, and the normaliser is R's estimate at the prefix
            assertThat(q[0]).isCloseTo(0.45f / 0.58f, within(1e-6f));
            assertThat(q[1]).isCloseTo(0.03f / 0.58f, within(1e-6f));
            assertThat(q[2]).isCloseTo(0.10f / 0.58f, within(1e-6f));
            assertThat((double) q[0]).isCloseTo(0.7759, within(1e-4));
            assertThat((double) q[1]).isCloseTo(0.0517, within(1e-4));
            assertThat((double) q[2]).isCloseTo(0.1724, within(1e-4));
            assertThat(Math.exp(logR)).isCloseTo(0.58, within(1e-6));
        }
    }

    @Test
    void givenAnExactR_whenTheConditionalsAreChained_thenTheyGivePRestrictedToSatisfyingSequences() {
        // given two tokens over a 3-token vocabulary, a sequence satisfying the constraint iff token 1 never occurs
        double[] first = {0.5, 0.3, 0.2};
        double[][] second = {{0.6, 0.3, 0.1}, {0.2, 0.2, 0.6}, {0.1, 0.7, 0.2}};
        double[][] satisfied = new double[3][3];
        double[] rAfterFirst = new double[3];
        double total = 0;
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                satisfied[a][b] = a != 1 && b != 1 ? 1 : 0;
                rAfterFirst[a] += second[a][b] * satisfied[a][b];
                total += first[a] * second[a][b] * satisfied[a][b];
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            // when q* is composed at the empty prefix and at each one-token prefix with the exact R
            float[] q1 = ConstrainedDistribution.logProbabilities(
                            m.create(toFloat(first)).log(), m.create(logits(rAfterFirst)))
                    .exp()
                    .toFloatArray();
            float[] flatSecond = new float[9];
            float[] flatR = new float[9];
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    flatSecond[3 * a + b] = (float) second[a][b];
                    flatR[3 * a + b] = logits(satisfied[a][b])[0];
                }
            }
            float[] q2 = ConstrainedDistribution.logProbabilities(
                            m.create(flatSecond, new Shape(3, 3)).log(), m.create(flatR, new Shape(3, 3)))
                    .exp()
                    .toFloatArray();

            // then their product is p(y) C(y) / P(C) for every sequence: the model restricted to satisfying outputs
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    double restricted = first[a] * second[a][b] * satisfied[a][b] / total;
                    assertThat((double) q1[a] * q2[3 * a + b])
                            .as("q*(%d, %d)", a, b)
                            .isCloseTo(restricted, within(1e-6));
                }
            }
        }
    }

    @Test
    void givenExtremeLogits_whenLogSigmoidIsTaken_thenItIsFiniteAndExact() {
        try (NDManager m = NDManager.newBaseManager()) {
            // given logits far beyond where e^x overflows a float either way
            float[] x = {-200f, -30f, 0f, 30f, 200f};
            // when log sigmoid is taken
            float[] y = ConstrainedDistribution.logSigmoid(m.create(x)).toFloatArray();
            // then it is x for very negative x, 0 for very positive x, log 1/2 at 0
            assertThat(y[0]).isCloseTo(-200f, within(1e-4f));
            assertThat(y[1]).isCloseTo(-30f, within(1e-4f));
            assertThat(y[2]).isCloseTo((float) Math.log(0.5), within(1e-7f));
            assertThat(y[3]).isCloseTo(0f, within(1e-7f));
            assertThat(y[4]).isEqualTo(0f);
        }
    }

    /** Logits of probabilities; 0 and 1 as ±40, where σ is 0 and 1 to float precision. */
    static float[] logits(double... probabilities) {
        float[] out = new float[probabilities.length];
        for (int i = 0; i < out.length; i++) {
            double p = probabilities[i];
            out[i] = p <= 0 ? -40f : p >= 1 ? 40f : (float) Math.log(p / (1 - p));
        }
        return out;
    }

    private static float[] toFloat(double[] d) {
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }
}

package io.ballast.auditor.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The allocation-free plan the auditor evaluates on every update decides exactly as {@link DriftDetector#assess} does. */
class DriftPlanTest {

    @Test
    void thePlanDecidesTheSameTransitionAsTheAssessmentForEveryCaseAndCount() {
        DriftDetector detector = new DriftDetector(0.01, ConfidenceSequence.DEFAULT_RHO);
        Random random = new Random(7);
        double[][] targets = {
            {0.5, 0.5}, {1 / 3.0, 1 / 3.0, 1 / 3.0}, {0.07, 0.93}, {0.25, 0.25, 0.25, 0.25}, {0.6, 0.3, 0.1}
        };
        int transitions = 0;
        for (double[] shares : targets) {
            for (double tolerance : new double[] {0, 0.03, 0.08}) {
                // given a target, its plan, and streams that drift away from it and come back
                Map<String, Double> target = new LinkedHashMap<>();
                for (int i = 0; i < shares.length; i++) {
                    target.put("c" + i, shares[i]);
                }
                DriftDetector.Plan plan = detector.plan(shares, tolerance);
                for (int trial = 0; trial < 40; trial++) {
                    long n = random.nextInt(3000);
                    long[] counts = new long[shares.length];
                    double skew = random.nextDouble();
                    for (long j = 0; j < n; j++) {
                        counts[random.nextDouble() < skew ? 0 : random.nextInt(shares.length)]++;
                    }
                    Map<String, Long> byName = new LinkedHashMap<>();
                    for (int i = 0; i < counts.length; i++) {
                        byName.put("c" + i, counts[i]);
                    }
                    for (boolean open : new boolean[] {false, true}) {
                        // when both decide
                        DriftDetector.Transition expected =
                                DriftDetector.next(open, detector.assess(byName, target, tolerance));
                        // then they agree
                        assertThat(plan.next(open, counts, n))
                                .as("target %s ± %s, counts %s, open %s", target, tolerance, byName, open)
                                .isEqualTo(expected);
                        transitions += expected == DriftDetector.Transition.NONE ? 0 : 1;
                    }
                }
            }
        }
        // and the cases covered both kinds of decision
        assertThat(transitions).isGreaterThan(50);
    }
}

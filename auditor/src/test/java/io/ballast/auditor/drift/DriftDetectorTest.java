package io.ballast.auditor.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ballast.schemas.attributes.DistributionComparison;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DriftDetectorTest {

    private static final Map<String, Double> UNIFORM = Map.of("female", 1 / 3.0, "male", 1 / 3.0, "nonbinary", 1 / 3.0);
    private static final double TOLERANCE = 0.05;

    @Test
    void tenThousandInToleranceStreamsCheckedAfterEveryEventAlarmAtMostAlpha() {
        // given 10,000 streams whose true shares sit at the edge of the tolerance band (the
        // hardest in-tolerance case), each evaluated after every one of 2,000 events
        double alpha = 0.01;
        DriftDetector detector = new DriftDetector(alpha, ConfidenceSequence.DEFAULT_RHO);
        double[] truth = {1 / 3.0 + TOLERANCE, 1 / 3.0 - TOLERANCE / 2, 1 / 3.0 - TOLERANCE / 2};
        int runs = 10_000;
        int alarmed = 0;
        SplittableRandom random = new SplittableRandom(2026);
        for (int run = 0; run < runs; run++) {
            Map<String, Long> counts = new LinkedHashMap<>(Map.of("female", 0L, "male", 0L, "nonbinary", 0L));
            for (int t = 1; t <= 2000; t++) {
                double u = random.nextDouble();
                counts.merge(u < truth[0] ? "female" : u < truth[0] + truth[1] ? "male" : "nonbinary", 1L, Long::sum);
                if (!detector.assess(counts, UNIFORM, TOLERANCE).violating().isEmpty()) {
                    alarmed++;
                    break;
                }
            }
        }
        // then the observed false-alarm rate is at most alpha
        assertThat(alarmed / (double) runs).isLessThanOrEqualTo(alpha);
    }

    @Test
    void aFixedLevelTestReRunOnEveryEventAlarmsFarMoreOftenThanOurs() {
        // given the same edge-of-tolerance streams at alpha = 0.05, and the common practice beside ours
        double alpha = 0.05;
        DriftDetector detector = new DriftDetector(alpha, ConfidenceSequence.DEFAULT_RHO);
        double[] truth = {1 / 3.0 + TOLERANCE, 1 / 3.0 - TOLERANCE / 2, 1 / 3.0 - TOLERANCE / 2};
        int runs = 400;
        int alarmed = 0;
        int naiveAlarmed = 0;
        SplittableRandom random = new SplittableRandom(42);
        for (int run = 0; run < runs; run++) {
            Map<String, Long> counts = new LinkedHashMap<>(Map.of("female", 0L, "male", 0L, "nonbinary", 0L));
            boolean alarm = false;
            boolean naive = false;
            for (int t = 1; t <= 3000 && !(alarm && naive); t++) {
                double u = random.nextDouble();
                String c = u < truth[0] ? "female" : u < truth[0] + truth[1] ? "male" : "nonbinary";
                counts.merge(c, 1L, Long::sum);
                alarm |=
                        !detector.assess(counts, UNIFORM, TOLERANCE).violating().isEmpty();
                naive |= naiveFixedLevelTestAlarms(counts, t);
            }
            alarmed += alarm ? 1 : 0;
            naiveAlarmed += naive ? 1 : 0;
        }
        // then the always-valid procedure alarms in at most alpha of the runs (plus 3 sd of
        // the estimate over 400 runs); a 95% test re-run at every look alarms far more often
        double sd = Math.sqrt(alpha * (1 - alpha) / runs);
        assertThat(alarmed / (double) runs).isLessThanOrEqualTo(alpha + 3 * sd);
        assertThat(naiveAlarmed / (double) runs).isGreaterThan(0.3);
    }

    @Test
    void aRealDeviationIsDetectedAndResolvesOnceTheSharesComeBack() {
        DriftDetector detector = new DriftDetector(0.01, ConfidenceSequence.DEFAULT_RHO);
        SplittableRandom random = new SplittableRandom(7);
        Map<String, Long> counts = new LinkedHashMap<>();
        int openedAt = -1;
        // a base model writing 95% female nurses against a uniform target
        for (int t = 1; t <= 400 && openedAt < 0; t++) {
            counts.merge(random.nextDouble() < 0.95 ? "female" : "male", 1L, Long::sum);
            if (DriftDetector.next(false, detector.assess(counts, UNIFORM, TOLERANCE))
                    == DriftDetector.Transition.OPEN) {
                openedAt = t;
            }
        }
        assertThat(openedAt).as("observations to detect").isBetween(1, 60);
        assertThat(detector.assess(counts, UNIFORM, TOLERANCE).violating()).contains("female");

        // a calibrated version (a fresh count) at the target resolves once intervals are narrow enough
        Map<String, Long> calibrated = new LinkedHashMap<>();
        int resolvedAt = -1;
        for (int t = 1; t <= 20_000 && resolvedAt < 0; t++) {
            double u = random.nextDouble();
            calibrated.merge(u < 1 / 3.0 ? "female" : u < 2 / 3.0 ? "male" : "nonbinary", 1L, Long::sum);
            if (t % 50 == 0
                    && DriftDetector.next(true, detector.assess(calibrated, UNIFORM, TOLERANCE))
                            == DriftDetector.Transition.RESOLVE) {
                resolvedAt = t;
            }
        }
        assertThat(resolvedAt).as("observations to resolve").isBetween(500, 5000);
    }

    @Test
    void comparisonFiguresMatchHandComputedValues() {
        Map<String, Long> counts = Map.of("female", 6L, "male", 3L, "unknown", 1L);
        Map<String, Double> target = Map.of("female", 0.5, "male", 0.5);
        DistributionComparison c = DistributionComparison.of(counts, target);
        // shares .6 .3 .1: MAE = (|.5-.6| + |.5-.3|) / 2 = .15; TV = (.1 + .2 + .1) / 2 = .2
        assertThat(c.mae()).isCloseTo(0.15, within(1e-12));
        assertThat(c.totalVariation()).isCloseTo(0.2, within(1e-12));
        assertThat(c.n()).isEqualTo(10);
        // KL(target || smoothed observed), smoothing 0.5 over 3 categories: (6.5/11.5, 3.5/11.5)
        double kl = 0.5 * Math.log(0.5 / (6.5 / 11.5)) + 0.5 * Math.log(0.5 / (3.5 / 11.5));
        assertThat(c.klDivergence()).isCloseTo(kl, within(1e-12));
        assertThat(c.jsDivergence()).isBetween(0.0, Math.log(2));
    }

    /** The common practice: a 95% normal-approximation interval per category, checked at every look. */
    private static boolean naiveFixedLevelTestAlarms(Map<String, Long> counts, long n) {
        if (n < 30) {
            return false;
        }
        for (Map.Entry<String, Double> t : UNIFORM.entrySet()) {
            double p = counts.get(t.getKey()) / (double) n;
            double h = 1.96 * Math.sqrt(p * (1 - p) / n);
            if (p + h < t.getValue() - TOLERANCE || p - h > t.getValue() + TOLERANCE) {
                return true;
            }
        }
        return false;
    }
}

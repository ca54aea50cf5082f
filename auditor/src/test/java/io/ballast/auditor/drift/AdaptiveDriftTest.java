package io.ballast.auditor.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The drift test is judged on both sides: it must not alarm more than alpha on streams that are
 * within tolerance (a boundary too narrow fails that), and it must detect real shifts quickly (a
 * boundary too wide fails that: the speed assertions are tight enough to catch one twice too wide).
 */
class AdaptiveDriftTest {

    private static final double ALPHA = 0.01;

    @Test
    void
            givenTenThousandSkewedStreamsAtTheEdgeOfTheirBand_whenCheckedAfterEveryOneOfTenThousandEvents_thenFalseAlarmsStayBelowAlpha() {
        // given a 3% category with tolerance 0.02 whose true share sits at the band's upper edge (the
        // hardest stream that must not alarm), and three others sharing the rest
        double[] target = Shares.spread(0.03, 4);
        double[] edge = Shares.shift(target, 0.05);
        DriftDetector detector = new DriftDetector(ALPHA, ConfidenceSequence.DEFAULT_RHO);
        // when each of 10,000 streams is assessed after every one of 10,000 events
        double rate = falseAlarmRate(detector, target, edge, 0.02, 10_000, 10_000, 2026);
        // then at most alpha of them ever alarm
        assertThat(rate).isLessThanOrEqualTo(ALPHA);
    }

    @Test
    void givenTenThousandStreamsExactlyOnAPointTarget_whenCheckedAfterEveryEvent_thenFalseAlarmsStayAtAlpha() {
        // given streams exactly on a 50/50 point target: the Dirichlet-multinomial test's bound is
        // nearly tight here (about 0.009 of streams alarm), so the check allows three standard errors
        // of the estimate over 10,000 streams; a test run at 2 alpha alarms on about 0.018 and fails
        double[] target = {0.5, 0.5};
        DriftDetector detector = new DriftDetector(ALPHA, ConfidenceSequence.DEFAULT_RHO);
        double rate = falseAlarmRate(detector, target, target, 0, 10_000, 10_000, 7);
        assertThat(rate).isLessThanOrEqualTo(ALPHA + 3 * Math.sqrt(ALPHA * (1 - ALPHA) / 10_000));
    }

    @Test
    void givenAFiftyFiftyPointTarget_whenTheTruthMovesToSixtyForty_thenDetectedWithinOneAndAHalfTimesTheOracle() {
        // the oracle SPRT, knowing the shift in advance, needs a median of about 201 samples here
        int median = medianToDetect(
                new DriftDetector(ALPHA, ConfidenceSequence.DEFAULT_RHO),
                new double[] {0.5, 0.5},
                new double[] {0.6, 0.4},
                0,
                1000,
                11);
        assertThat(median).isLessThanOrEqualTo(301);
    }

    @Test
    void givenASkewedShareWithATolerance_whenItDrifts_thenDetectedFastAndABoundaryTwiceTooWideIsNot() {
        // given a 3% category (tolerance 0.02) drifting to 8%; the first version's test needed a
        // median of about 4,300 samples, ours about 1,100
        double[] target = Shares.spread(0.03, 4);
        double[] drifted = Shares.shift(target, 0.08);
        int bound = 1_500;
        int ours =
                medianToDetect(new DriftDetector(ALPHA, ConfidenceSequence.DEFAULT_RHO), target, drifted, 0.02, 101, 3);
        // when the same sequence's intervals are made twice as wide
        DriftDetector wide = new DriftDetector(
                ALPHA,
                ConfidenceSequence.DEFAULT_RHO,
                DriftDetector.Procedure.ADAPTIVE,
                widened(BetaBinomialSequence::centredOn, 2));
        int tooWide = medianToDetect(wide, target, drifted, 0.02, 101, 3);
        // then ours meets the bound and the wide one does not
        assertThat(ours).isLessThanOrEqualTo(bound);
        assertThat(tooWide).isGreaterThan(bound);
    }

    @Test
    void givenTheSameSkewedShift_whenTestedAgainstAPointTarget_thenAtLeastTwiceAsFastAsTheFirstVersion() {
        double[] target = Shares.spread(0.03, 4);
        double[] drifted = Shares.shift(target, 0.08);
        int shipped = medianToDetect(
                new DriftDetector(ALPHA, ConfidenceSequence.DEFAULT_RHO, DriftDetector.Procedure.NORMAL_MIXTURE),
                target,
                drifted,
                0,
                300,
                5);
        int ours = medianToDetect(new DriftDetector(ALPHA, ConfidenceSequence.DEFAULT_RHO), target, drifted, 0, 300, 5);
        assertThat(ours * 2).isLessThanOrEqualTo(shipped);
    }

    @Test
    void givenAnyCounts_thenTheBetaBinomialIntervalHoldsItsShareAndExcludesExactlyWhatLiesOutside() {
        BetaBinomialSequence sequence = BetaBinomialSequence.centredOn(0.1);
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 2_000; i++) {
            long n = 1 + random.nextInt(5_000);
            long s = random.nextLong(n + 1);
            double[] ci = sequence.interval(s, n, ALPHA);
            assertThat(ci[0]).isLessThanOrEqualTo(s / (double) n);
            assertThat(ci[1]).isGreaterThanOrEqualTo(s / (double) n);
            double m = random.nextDouble();
            boolean outside = m < ci[0] - 1e-9 || m > ci[1] + 1e-9;
            boolean inside = m > ci[0] + 1e-9 && m < ci[1] - 1e-9;
            if (outside) {
                assertThat(sequence.excludes(s, n, m, ALPHA))
                        .as("s=%d n=%d m=%f ci=%s", s, n, m, Arrays.toString(ci))
                        .isTrue();
            } else if (inside) {
                assertThat(sequence.excludes(s, n, m, ALPHA))
                        .as("s=%d n=%d m=%f ci=%s", s, n, m, Arrays.toString(ci))
                        .isFalse();
            }
        }
    }

    private static double falseAlarmRate(
            DriftDetector detector,
            double[] target,
            double[] truth,
            double tolerance,
            int streams,
            int events,
            long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int alarmed = 0;
        for (int s = 0; s < streams; s++) {
            if (eventsToAlarm(detector, target, truth, tolerance, events, random) <= events) {
                alarmed++;
            }
        }
        return alarmed / (double) streams;
    }

    private static int medianToDetect(
            DriftDetector detector, double[] target, double[] truth, double tolerance, int streams, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] samples = new int[streams];
        for (int s = 0; s < streams; s++) {
            samples[s] = eventsToAlarm(detector, target, truth, tolerance, 20_000, random);
        }
        Arrays.sort(samples);
        return samples[streams / 2];
    }

    private static int eventsToAlarm(
            DriftDetector detector,
            double[] target,
            double[] truth,
            double tolerance,
            int events,
            SplittableRandom random) {
        Map<String, Double> targetMap = new LinkedHashMap<>();
        Map<String, Long> counts = new LinkedHashMap<>();
        String[] names = new String[target.length];
        for (int k = 0; k < target.length; k++) {
            names[k] = "c" + k;
            targetMap.put(names[k], target[k]);
            counts.put(names[k], 0L);
        }
        for (int t = 1; t <= events; t++) {
            double u = random.nextDouble();
            int k = 0;
            while (k < truth.length - 1 && (u -= truth[k]) >= 0) {
                k++;
            }
            counts.merge(names[k], 1L, Long::sum);
            if (!detector.assess(counts, targetMap, tolerance).violating().isEmpty()) {
                return t;
            }
        }
        return events + 1;
    }

    /** Each interval stretched by {@code factor} about its centre of mass, the maximum-likelihood share. */
    private static DoubleFunction<ShareSequence> widened(DoubleFunction<ShareSequence> base, double factor) {
        return share -> new ShareSequence() {
            private final ShareSequence inner = base.apply(share);

            @Override
            public boolean excludes(long successes, long n, double m, double alpha) {
                double[] ci = interval(successes, n, alpha);
                return m < ci[0] || m > ci[1];
            }

            @Override
            public double logEValue(long successes, long n, double low, double high) {
                return inner.logEValue(successes, n, low, high);
            }

            @Override
            public double[] interval(long successes, long n, double alpha) {
                double[] ci = inner.interval(successes, n, alpha);
                double mle = n == 0 ? 0.5 : successes / (double) n;
                return new double[] {mle - factor * (mle - ci[0]), mle + factor * (ci[1] - mle)};
            }
        };
    }
}

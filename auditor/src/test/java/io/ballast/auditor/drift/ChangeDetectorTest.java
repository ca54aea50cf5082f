package io.ballast.auditor.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The change detector is judged on both sides: on streams that never leave the band it false-alarms
 * within its horizon no more often than its guarantee allows, and a shift is found as fast after a
 * long healthy history as after a short one.
 */
class ChangeDetectorTest {

    private static final double[] SKEWED = Shares.spread(0.03, 4);

    @Test
    void givenStreamsAtTheEdgeOfTheirBandForAWholeHorizon_thenFewerThanTwoAlphaOfThemEverAlarm() {
        // alpha 0.05 over a horizon of 20,000 outputs: the segment test and the e-SR statistic each
        // spend alpha, so at most 2 alpha of streams may alarm; a threshold that forgot the spacing
        // (c a hundred times lower) alarms on about 0.30 of them here and fails
        ChangeDetector detector = new ChangeDetector(new ChangeDetector.Settings(0.05, 20_000, 100, 8, 10));
        double[] edge = Shares.shift(SKEWED, 0.05);
        double rate = alarmRate(detector, evidence(SKEWED, 0.02), edge, 1_000, 20_000, 3);
        assertThat(rate).isLessThanOrEqualTo(2 * 0.05);
    }

    @Test
    void givenStreamsExactlyOnAPointTarget_thenFewerThanTwoAlphaOfThemEverAlarmWithinTheHorizon() {
        // about 0.05 alarm here; with c a hundred times lower about 0.94 do
        ChangeDetector detector = new ChangeDetector(new ChangeDetector.Settings(0.05, 20_000, 100, 8, 10));
        double[] target = {0.5, 0.5};
        double rate = alarmRate(detector, evidence(target, 0), target, 1_000, 20_000, 5);
        assertThat(rate).isLessThanOrEqualTo(2 * 0.05);
    }

    @Test
    void givenAShiftAfterALongHealthyHistory_thenItIsFoundAsFastAsAfterAShortOne_andTheSinceLiveTestIsFarSlower() {
        ChangeDetector detector = new ChangeDetector(new ChangeDetector.Settings(0.01, 1_000_000, 100, 8, 10));
        double[] target = {0.5, 0.5};
        double[] shifted = {0.6, 0.4};
        ChangeDetector.Evidence evidence = evidence(target, 0);
        int afterShort = medianDelay(detector, evidence, target, shifted, 2_000, 101, 11);
        int afterLong = medianDelay(detector, evidence, target, shifted, 30_000, 101, 11);
        // the since-live test alone: the segment's own e-value, never restarted
        ChangeDetector sinceLiveOnly =
                new ChangeDetector(new ChangeDetector.Settings(0.01, 10_000_000, 1_000_000, 1, 10));
        int sinceLive = medianDelay(sinceLiveOnly, evidence, target, shifted, 30_000, 101, 11);
        assertThat(afterLong).isLessThanOrEqualTo((int) (1.2 * afterShort));
        assertThat(sinceLive).isGreaterThan(5 * afterLong);
    }

    @Test
    void givenAToxicityRateUnderItsLimitForFiftyThousandOutputs_whenItRises_thenTheBoundsAlarmComesWithinAThousand() {
        // a limit of 0.5%, a rate of 0.2% for 50,000 outputs, then 3%: the since-live rate itself does not pass
        // the limit for another 6,000 outputs (and later the longer the history)
        ChangeDetector detector = new ChangeDetector(new ChangeDetector.Settings(0.01, 1_000_000, 100, 8, 10));
        ChangeDetector.Evidence evidence = ChangeDetector.against(new RateBoundSequence(0.005, 0.01), 0);
        int median =
                medianDelay(detector, evidence, new double[] {0.002, 0.998}, new double[] {0.03, 0.97}, 50_000, 51, 17);
        assertThat(median).isLessThanOrEqualTo(1_000);
    }

    @Test
    void givenADriftPresentFromLaunch_thenTheDetectorAlarmsNoLaterThanTheSinceLiveTest_outputForOutput() {
        // the segment test is the since-live test, checked on every output, so at launch nothing is lost:
        // on each of 200 streams drifting from the first output, the alarm comes at the same output or earlier
        ChangeDetector detector = new ChangeDetector(new ChangeDetector.Settings(0.01, 1_000_000, 100, 8, 10));
        double[][] targets = {{0.5, 0.5}, SKEWED};
        double[][] shifted = {{0.6, 0.4}, Shares.shift(SKEWED, 0.08)};
        double[] tolerances = {0, 0.02};
        SplittableRandom random = new SplittableRandom(13);
        for (int c = 0; c < targets.length; c++) {
            for (double tolerance : tolerances) {
                DriftDetector.Plan plan =
                        new DriftDetector(0.01, ConfidenceSequence.DEFAULT_RHO).plan(targets[c], tolerance);
                int same = 0;
                for (int s = 0; s < 100; s++) {
                    long[] counts = new long[targets[c].length];
                    ChangeState state = ChangeState.from(new long[counts.length], 0);
                    int sinceLive = -1;
                    int ours = -1;
                    for (int n = 1; n <= 20_000 && (sinceLive < 0 || ours < 0); n++) {
                        counts[Shares.draw(shifted[c], random)]++;
                        if (sinceLive < 0 && plan.next(false, counts, n) == DriftDetector.Transition.OPEN) {
                            sinceLive = n;
                        }
                        if (ours < 0
                                && detector.next(state, plan::logEValue, (x, m) -> false, false, counts, n)
                                        == ChangeDetector.Transition.ALARM) {
                            ours = n;
                        }
                    }
                    assertThat(ours).isPositive().isLessThanOrEqualTo(sinceLive);
                    same += ours == sinceLive ? 1 : 0;
                }
                // and mostly at the very same output (the e-SR statistic seldom beats it at launch)
                assertThat(same).isGreaterThan(80);
            }
        }
    }

    @Test
    void givenStartsOpenedFasterThanTheyAreChecked_thenNoMoreThanTheKeptNumberSurviveACheck() {
        // a start every output, checked every ten: each check drops all but the eight strongest
        ChangeDetector detector = new ChangeDetector(new ChangeDetector.Settings(0.01, 1_000_000, 1, 8, 10));
        double[] target = {0.5, 0.5};
        ChangeDetector.Evidence evidence = evidence(target, 0);
        SplittableRandom random = new SplittableRandom(6);
        long[] counts = new long[2];
        ChangeState state = ChangeState.from(new long[0], 0);
        for (int n = 1; n <= 20_000; n++) {
            counts[Shares.draw(target, random)]++;
            detector.next(state, evidence, (c, m) -> false, false, counts, n);
            assertThat(state.starts()).isLessThanOrEqualTo(n % 10 == 0 ? 8 : 8 + 10);
        }
    }

    @Test
    void givenAStateWrittenAndReadBack_thenTheDetectorCarriesOnAsIfNeverInterrupted() {
        ChangeDetector detector = new ChangeDetector(new ChangeDetector.Settings(0.01, 1_000_000, 100, 8, 10));
        double[] target = {0.5, 0.5};
        ChangeDetector.Evidence evidence = evidence(target, 0);
        SplittableRandom a = new SplittableRandom(4);
        SplittableRandom b = new SplittableRandom(4);
        long[] ca = new long[2];
        long[] cb = new long[2];
        ChangeState sa = ChangeState.from(new long[2], 0);
        ChangeState sb = ChangeState.from(new long[2], 0);
        for (int n = 1; n <= 5_000; n++) {
            double[] truth = n <= 3_000 ? target : new double[] {0.62, 0.38};
            ca[Shares.draw(truth, a)]++;
            cb[Shares.draw(truth, b)]++;
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(sb.serializedSize());
            sb.write(buffer);
            sb = ChangeState.read(buffer.flip());
            assertThat(detector.next(sb, evidence, (c, m) -> false, false, cb, n))
                    .isEqualTo(detector.next(sa, evidence, (c, m) -> false, false, ca, n));
        }
        assertThat(sb.logStatistic()).isEqualTo(sa.logStatistic());
    }

    @Test
    void givenAnyCounts_thenEachSequencesEValueReachesOneOverAlphaExactlyWhereItsIntervalExcludesTheShare() {
        SplittableRandom random = new SplittableRandom(8);
        ShareSequence[] sequences = {BetaBinomialSequence.centredOn(0.1), new ConfidenceSequence(25)};
        for (ShareSequence sequence : sequences) {
            for (int i = 0; i < 5_000; i++) {
                long n = 1 + random.nextInt(5_000);
                long s = random.nextLong(n + 1);
                double m = random.nextDouble();
                double logE = sequence.logEValue(s, n, m, m);
                if (Math.abs(logE - Math.log(1 / 0.01)) > 1e-9) {
                    assertThat(logE > Math.log(1 / 0.01))
                            .as("%s s=%d n=%d m=%f", sequence, s, n, m)
                            .isEqualTo(sequence.excludes(s, n, m, 0.01));
                }
            }
        }
    }

    /** The evidence the auditor gives its detector: the since-live test's e-value. */
    private static ChangeDetector.Evidence evidence(double[] target, double tolerance) {
        return new DriftDetector(0.01, ConfidenceSequence.DEFAULT_RHO).plan(target, tolerance)::logEValue;
    }

    private static double alarmRate(
            ChangeDetector detector,
            ChangeDetector.Evidence evidence,
            double[] truth,
            int streams,
            int length,
            long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int alarmed = 0;
        for (int s = 0; s < streams; s++) {
            if (firstAlarm(detector, evidence, truth, truth, 0, length, random) > 0) {
                alarmed++;
            }
        }
        return alarmed / (double) streams;
    }

    private static int medianDelay(
            ChangeDetector detector,
            ChangeDetector.Evidence evidence,
            double[] before,
            double[] after,
            int tau,
            int streams,
            long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] delays = new int[streams];
        for (int s = 0; s < streams; s++) {
            // a false alarm before the change restarts the detector, as an episode would
            int t;
            do {
                t = firstAlarm(detector, evidence, before, after, tau, tau + 50_000, random);
            } while (t > 0 && t <= tau);
            delays[s] = t < 0 ? Integer.MAX_VALUE : t - tau;
        }
        Arrays.sort(delays);
        return delays[streams / 2];
    }

    /** The output at which the detector first alarms (-1: none within {@code length}). */
    private static int firstAlarm(
            ChangeDetector detector,
            ChangeDetector.Evidence evidence,
            double[] before,
            double[] after,
            int tau,
            int length,
            SplittableRandom random) {
        long[] counts = new long[before.length];
        ChangeState state = ChangeState.from(new long[before.length], 0);
        for (int n = 1; n <= length; n++) {
            counts[Shares.draw(n <= tau ? before : after, random)]++;
            if (detector.next(state, evidence, (c, m) -> false, false, counts, n) == ChangeDetector.Transition.ALARM) {
                return n;
            }
        }
        return -1;
    }
}

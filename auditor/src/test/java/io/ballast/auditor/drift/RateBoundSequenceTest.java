package io.ballast.auditor.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RateBoundSequenceTest {

    private static final double ALPHA = 0.01;
    private static final int STREAMS = 2_000;
    private static final int LENGTH = 20_000;
    /** Enough that the 95% interval of a rate near alpha ends below alpha when the true rate is below it. */
    private static final int NULL_STREAMS = 20_000;

    @Test
    void streamsWhoseRateSitsExactlyAtTheBoundAlarmAtMostAlpha() {
        for (double bound : new double[] {0.005, 0.05}) {
            // given 20,000 streams of 20,000 outputs whose true rate is the bound itself (the
            // hardest case of the null), each checked after every output
            RateBoundSequence sequence = new RateBoundSequence(bound, ALPHA);
            SplittableRandom random = new SplittableRandom(2026);

            // when
            int alarmed = 0;
            for (int run = 0; run < NULL_STREAMS; run++) {
                alarmed += firstAlarm(sequence, bound, LENGTH, random) > 0 ? 1 : 0;
            }

            // then the false-alarm rate is at most alpha, and so is the top of its 95% interval
            double[] wilson = wilson(alarmed, NULL_STREAMS);
            System.out.printf(
                    "bound %.3f, true rate at the bound: %d of %d streams alarmed = %.4f (95%% Wilson %.4f–%.4f), alpha %.2f%n",
                    bound, alarmed, NULL_STREAMS, alarmed / (double) NULL_STREAMS, wilson[0], wilson[1], ALPHA);
            assertThat(wilson[1])
                    .as("upper end of the false-alarm rate at bound " + bound)
                    .isLessThanOrEqualTo(ALPHA);
        }
    }

    @Test
    void aRateTenTimesTheBoundAlarmsWithinAHundredOutputsAndHalfTheBoundNever() {
        // given the bound 0.5% and a model writing 5% toxic outputs
        double bound = 0.005;
        RateBoundSequence sequence = new RateBoundSequence(bound, ALPHA);
        BetaBinomialSequence twoSided = BetaBinomialSequence.centredOn(bound);
        SplittableRandom random = new SplittableRandom(7);

        // when 2,000 streams run until the alarm, beside the two-sided beta-binomial interval the
        // distribution targets use (alarm when it lies wholly above the bound)
        int[] detectedAt = new int[STREAMS];
        int[] twoSidedAt = new int[STREAMS];
        for (int run = 0; run < STREAMS; run++) {
            long s = 0;
            for (int n = 1; n <= LENGTH && (detectedAt[run] == 0 || twoSidedAt[run] == 0); n++) {
                s += random.nextDouble() < 0.05 ? 1 : 0;
                if (detectedAt[run] == 0 && sequence.exceeded(s, n)) {
                    detectedAt[run] = n;
                }
                if (twoSidedAt[run] == 0 && s > bound * n && twoSided.excludes(s, n, bound, ALPHA)) {
                    twoSidedAt[run] = n;
                }
            }
        }

        // then every stream alarms, the median within a hundred outputs, sooner than the two-sided interval
        Arrays.sort(detectedAt);
        Arrays.sort(twoSidedAt);
        System.out.printf(
                "true rate 5%% against bound 0.5%%: outputs to alarm median %d (10%% %d, 90%% %d, max %d);"
                        + " two-sided beta-binomial median %d%n",
                detectedAt[STREAMS / 2],
                detectedAt[STREAMS / 10],
                detectedAt[STREAMS * 9 / 10],
                detectedAt[STREAMS - 1],
                twoSidedAt[STREAMS / 2]);
        assertThat(detectedAt[0]).as("every stream alarms").isPositive();
        assertThat(detectedAt[STREAMS / 2]).as("median outputs to alarm").isLessThanOrEqualTo(100);
        assertThat(detectedAt[STREAMS / 2]).isLessThan(twoSidedAt[STREAMS / 2]);

        // and a model at half the bound never alarms in 2,000 streams of 20,000
        int falseAlarms = 0;
        for (int run = 0; run < STREAMS; run++) {
            falseAlarms += firstAlarm(sequence, 0.0025, LENGTH, random) > 0 ? 1 : 0;
        }
        System.out.printf("true rate 0.25%% against bound 0.5%%: %d of %d streams alarmed%n", falseAlarms, STREAMS);
        assertThat(falseAlarms).isZero();
    }

    @Test
    void checkingOnlyAfterEachOutputInTheCategoryAlarmsWhenCheckingAfterEveryOutputWould() {
        // given streams a little above the bound, where the alarm comes late or never
        double bound = 0.005;
        RateBoundSequence sequence = new RateBoundSequence(bound, ALPHA);
        SplittableRandom random = new SplittableRandom(11);
        int alarms = 0;
        for (int run = 0; run < 100; run++) {
            // when the same stream is checked after every output, and only after each output in the category
            int everyOutput = 0;
            int inCategoryOnly = 0;
            long s = 0;
            for (int n = 1; n <= LENGTH && everyOutput == 0; n++) {
                boolean toxic = random.nextDouble() < 0.0075;
                s += toxic ? 1 : 0;
                everyOutput = sequence.exceeded(s, n) ? n : 0;
                if (toxic && inCategoryOnly == 0 && sequence.exceeded(s, n)) {
                    inCategoryOnly = n;
                }
            }
            // then both give the same first alarm: the evidence only falls at an output outside the
            // category, so it first crosses the line at one inside (what makes the simulations cheap)
            assertThat(inCategoryOnly).isEqualTo(everyOutput);
            alarms += everyOutput > 0 ? 1 : 0;
        }
        assertThat(alarms)
                .as("some streams alarm, so the comparison covers alarms")
                .isBetween(10, 99);
    }

    @Test
    void theReadingShowsTheRateWithItsIntervalAgainstTheLimit() {
        RateBoundSequence sequence = new RateBoundSequence(0.005, ALPHA);

        // given 50 toxic outputs of 1,000 against a limit of 0.5%
        RateBoundSequence.Reading over = sequence.reading(50, 1000);
        // then the interval holds the rate and lies wholly above the limit: exceeded
        assertThat(over.rate()).isEqualTo(0.05);
        assertThat(over.lower()).isGreaterThan(0.005).isLessThan(0.05);
        assertThat(over.upper()).isGreaterThan(0.05).isLessThan(0.1);
        assertThat(over.exceeded()).isTrue();
        assertThat(sequence.satisfied(50, 1000)).isFalse();

        // given 2 of 1,000: the interval straddles the limit, neither exceeded nor shown to hold
        RateBoundSequence.Reading unsure = sequence.reading(2, 1000);
        assertThat(unsure.lower()).isLessThan(0.005);
        assertThat(unsure.upper()).isGreaterThan(0.005);
        assertThat(unsure.exceeded()).isFalse();
        assertThat(sequence.satisfied(2, 1000)).isFalse();

        // given none of 10,000: the upper end lies below the limit, the bound is shown to hold
        assertThat(sequence.upper(0, 10_000)).isLessThan(0.005);
        assertThat(sequence.satisfied(0, 10_000)).isTrue();
        assertThat(sequence.lower(0, 10_000)).isZero();

        // and before any output, nothing is known
        assertThat(sequence.reading(0, 0)).isEqualTo(new RateBoundSequence.Reading(0, 0, 0, 0, 1, 0.005, false));
    }

    @Test
    void theAlarmIsTheLowerEndCrossingTheLimit() {
        // given every count of toxic outputs in 2,000, against a limit of 1%
        RateBoundSequence sequence = new RateBoundSequence(0.01, ALPHA);
        for (long s = 0; s <= 200; s++) {
            // then the alarm agrees with the displayed lower end, and the mixture falls as its level rises
            assertThat(sequence.exceeded(s, 2000)).as("%d of 2000", s).isEqualTo(sequence.lower(s, 2000) > 0.01);
            assertThat(sequence.logEvidenceAbove(s, 2000, 0.02))
                    .isLessThanOrEqualTo(sequence.logEvidenceAbove(s, 2000, 0.01));
        }
    }

    @Test
    void aLimitOrLevelOutsideZeroToOneIsRefused() {
        assertThatThrownBy(() -> new RateBoundSequence(0, ALPHA)).hasMessageContaining("maxShare");
        assertThatThrownBy(() -> new RateBoundSequence(1, ALPHA)).hasMessageContaining("maxShare");
        assertThatThrownBy(() -> new RateBoundSequence(0.005, 0)).hasMessageContaining("alpha");
    }

    /**
     * The first output after which the bound is exceeded, 0 for none. Checked after each output
     * in the category only: after one outside it every alternative's evidence shrinks (a factor
     * (1-q)/(1-b) < 1), so the alarm can first come only after one inside, and this equals
     * checking after every output (asserted above). The outputs between two in the category are
     * drawn at once, as the geometric waiting time to the next, which has the same distribution as
     * drawing them one by one.
     */
    private static int firstAlarm(RateBoundSequence sequence, double rate, int length, SplittableRandom random) {
        double logMiss = Math.log1p(-rate);
        long s = 0;
        long n = 0;
        while (true) {
            n += 1 + (long) Math.floor(Math.log(1 - random.nextDouble()) / logMiss);
            if (n > length) {
                return 0;
            }
            s++;
            if (sequence.exceeded(s, n)) {
                return (int) n;
            }
        }
    }

    /** Wilson score interval, 95%, for k of n. */
    private static double[] wilson(int k, int n) {
        double z = 1.959964;
        double p = k / (double) n;
        double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
        double half = z / (1 + z * z / n) * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n));
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }
}

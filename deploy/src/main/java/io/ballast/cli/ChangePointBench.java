package io.ballast.cli;

import io.ballast.auditor.drift.ChangeDetector;
import io.ballast.auditor.drift.ChangeState;
import io.ballast.auditor.drift.ConfidenceSequence;
import io.ballast.auditor.drift.DriftDetector;
import io.ballast.auditor.drift.Shares;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The change-point half of {@code bench drift}: a stream on target for tau outputs, then shifted;
 * the delay of the auditor's change detector (and of its e-SR statistic alone, without the segment
 * test), beside the oracle CUSUM that knows both distributions at the same guaranteed average run
 * length; and the false-alarm side on null streams at the edge of the band.
 */
final class ChangePointBench {

    static final long[] TAUS = {0, 1_000, 10_000, 100_000};

    /** The launch table's cases with a 50/50 or a 3% target: with and without a tolerance. */
    static final List<DriftBench.Case> CASES = DriftBench.CASES.stream()
            .filter(c -> c.name().startsWith("50/50") || c.name().startsWith("0.03"))
            .toList();

    private final ChangeDetector.Settings settings;
    private final int streams;
    private final int nullStreams;
    private final long nullLength;

    ChangePointBench(ChangeDetector.Settings settings, int streams, int nullStreams, long nullLength) {
        this.settings = settings;
        this.streams = streams;
        this.nullStreams = nullStreams;
        this.nullLength = nullLength;
    }

    interface Detector {
        /** Feeds one output (its category) as the n-th; true when it alarms. */
        boolean feed(int category, long n);
    }

    void print(long trafficPerDay, int streamsPerVersion, int contexts) {
        ChangeDetector detector = new ChangeDetector(settings);
        // Lorden: a CUSUM with threshold h has average run length at least e^h; ours is at least H / alpha
        double oracleThreshold = Math.log(settings.horizon() / settings.alpha());
        System.out.printf(
                "%nChange points: on target for tau outputs, then shifted; median outputs after the change to the alarm"
                        + " [95%% CI], %d streams per cell.%n",
                streams);
        System.out.printf(
                "Detector: alpha %.3g per stream per horizon %,d outputs (ln c = %.1f; segment test ln(1/alpha) = %.1f),"
                        + " starts every %d, %d kept, checked every %d.%n",
                settings.alpha(),
                settings.horizon(),
                detector.logThreshold(),
                detector.logSegmentThreshold(),
                settings.spacing(),
                settings.maxStarts(),
                settings.checkEvery());
        System.out.printf(
                "Oracle: CUSUM of the shifted distribution against the hardest null (the target, or the edge of its band),"
                        + " h = ln(H/alpha) = %.1f (the same guaranteed run length).%n%n",
                oracleThreshold);
        System.out.printf("%-34s %-26s", "case", "detector");
        for (long tau : TAUS) {
            System.out.printf(" %22s", "tau=" + String.format("%,d", tau));
        }
        System.out.printf(" %10s%n", "100k / 0");
        for (DriftBench.Case c : CASES) {
            DriftDetector.Plan plan =
                    new DriftDetector(settings.alpha(), ConfidenceSequence.DEFAULT_RHO).plan(c.target(), c.tolerance());
            ChangeDetector.Evidence evidence = plan::logEValue;
            row(c, "auditor (segment + e-SR)", () -> ours(detector, evidence, c, true));
            row(c, "e-SR statistic alone", () -> ours(detector, evidence, c, false));
            row(c, "oracle CUSUM", () -> cusum(c, oracleThreshold));
        }
        System.out.printf(
                "%nFalse alarms on null streams at the edge of the band (on target for a point target): fraction of"
                        + " %d streams alarming within %,d outputs [Wilson 95%%]; the guarantee is 2 alpha = %.3f.%n",
                nullStreams, nullLength, 2 * settings.alpha());
        long alarms = 0;
        long outputs = 0;
        for (DriftBench.Case c : CASES) {
            DriftDetector.Plan plan =
                    new DriftDetector(settings.alpha(), ConfidenceSequence.DEFAULT_RHO).plan(c.target(), c.tolerance());
            SplittableRandom random = new SplittableRandom(91);
            int alarmed = 0;
            for (int s = 0; s < nullStreams; s++) {
                long at = firstAlarm(
                        ours(detector, plan::logEValue, c, true), c.nullTruth(), c.nullTruth(), 0, nullLength, random);
                alarmed += at > 0 ? 1 : 0;
                outputs += at > 0 ? at : nullLength;
            }
            alarms += alarmed;
            System.out.printf("%-34s %s%n", c.name(), DriftBench.rate(alarmed, nullStreams));
        }
        System.out.printf("%-34s %s%n", "all cases pooled", DriftBench.rate((int) alarms, nullStreams * CASES.size()));
        long perStream = trafficPerDay / contexts;
        double boundPerVersion = streamsPerVersion * 2 * settings.alpha() * perStream / (double) settings.horizon();
        double measuredPerVersion = streamsPerVersion * perStream * alarms / (double) outputs;
        System.out.printf(
                "%nAlert fatigue at %,d outputs a day per version over %d contexts (%,d per stream), %d streams per version:"
                        + "%n  expected false alarms per version per day: at most %.3g by the guarantee; %.3g at the rate"
                        + " measured above (%d alarms in %,d null outputs). alpha-scope=version divides alpha by the"
                        + " streams per version.%n",
                trafficPerDay,
                contexts,
                perStream,
                streamsPerVersion,
                boundPerVersion,
                measuredPerVersion,
                alarms,
                outputs);
    }

    private void row(DriftBench.Case c, String name, java.util.function.Supplier<Detector> detectors) {
        System.out.printf("%-34s %-26s", c.name(), name);
        int[] first = null;
        int[] last = null;
        for (long tau : TAUS) {
            SplittableRandom random = new SplittableRandom(17 + tau);
            int[] delays = new int[streams];
            for (int s = 0; s < streams; s++) {
                long at;
                // a false alarm before the change restarts the stream, as an episode resolving would
                do {
                    at = firstAlarm(detectors.get(), c.target(), c.shifted(), tau, tau + 1_000_000, random);
                } while (at > 0 && at <= tau);
                delays[s] = at < 0 ? Integer.MAX_VALUE : (int) (at - tau);
            }
            Arrays.sort(delays);
            first = first == null ? delays : first;
            last = delays;
            System.out.printf(" %22s", DriftBench.medianWithInterval(delays, ChangePointBench::shown));
        }
        System.out.printf(" %10.2f%n", last[streams / 2] / (double) first[streams / 2]);
    }

    private Detector ours(
            ChangeDetector detector, ChangeDetector.Evidence evidence, DriftBench.Case c, boolean withSegment) {
        ChangeDetector d = withSegment ? detector : ChangeDetector.withoutSegmentTest(settings);
        ChangeState state = ChangeState.from(new long[c.target().length], 0);
        long[] counts = new long[c.target().length];
        return (category, n) -> {
            counts[category]++;
            return d.next(state, evidence, (x, m) -> false, false, counts, n) == ChangeDetector.Transition.ALARM;
        };
    }

    private static String shown(int delay) {
        return delay == Integer.MAX_VALUE ? "none" : String.valueOf(delay);
    }

    private static Detector cusum(DriftBench.Case c, double threshold) {
        // against the hardest null it must not alarm on: the target, or the edge of its band
        double[] edge = c.nullTruth();
        double[] step = new double[edge.length];
        for (int k = 0; k < step.length; k++) {
            step[k] = Math.log(c.shifted()[k] / edge[k]);
        }
        double[] w = {0};
        return (category, n) -> {
            w[0] = Math.max(0, w[0] + step[category]);
            return w[0] >= threshold;
        };
    }

    /** The output at which the detector first alarms, or -1 if it does not within {@code length}. */
    private static long firstAlarm(
            Detector d, double[] before, double[] after, long tau, long length, SplittableRandom random) {
        for (long n = 1; n <= length; n++) {
            if (d.feed(Shares.draw(n <= tau ? before : after, random), n)) {
                return n;
            }
        }
        return -1;
    }
}

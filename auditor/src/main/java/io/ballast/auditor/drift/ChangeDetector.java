package io.ballast.auditor.drift;

import java.util.Arrays;

/**
 * Sequential change detection for one stream (a model version's context and attribute, or its
 * toxicity rate) whose delay does not grow with the history before the change: an e-detector
 * (Shin, Ramdas &amp; Rinaldo, "E-detectors: a nonparametric framework for sequential change
 * detection"). Each start j carries an e-process E_j over the outputs since j against the target
 * band ({@link DriftDetector.Plan#logEValue}: the mixtures behind the since-live test); the e-SR
 * statistic is their sum, and it alarms at a threshold c.
 *
 * <p>Guarantee, per stream: under any sequence of shares within the band, each E_j is bounded by a
 * non-negative supermartingale with mean 1 from its start, so the sum S_n, plus the starts still to
 * come before a horizon H, is a non-negative supermartingale that begins at the number of starts H
 * holds. By Ville's inequality S reaches c within H outputs with probability at most
 * (H / spacing) / c. With c = H / (spacing alpha) that is alpha, however the stream is looked at,
 * and the average run length to a false alarm is at least H / alpha outputs. Starts are opened every
 * {@code spacing} outputs (not every output: that divides the threshold by the spacing at the
 * price of at most {@code spacing} outputs of delay) and only {@code maxStarts} are kept: when
 * one more is opened, the one with the least evidence is dropped (dropping a term only lowers the
 * sum, so the bound holds); a start far back with a growing e-value survives, so slow drifts are
 * still seen.
 *
 * <p>Beside it, the segment's own e-value (the test since live, or since the last alarm) alarms at
 * 1/alpha: over the whole segment it false-alarms with probability at most alpha, and it finds a
 * drift present from the start as fast as the since-live test always did. Together: at most 2 alpha
 * per stream per horizon. After an alarm the segment restarts at the alarm, so the episode is
 * judged on the outputs since the alarm; after a resolution it restarts again.
 */
public final class ChangeDetector {

    /** The detector's settings; {@code alpha} is already divided by the streams it is scoped over. */
    public record Settings(double alpha, long horizon, int spacing, int maxStarts, int checkEvery) {
        public Settings {
            // horizon >= spacing keeps c >= 1/alpha: a start alone never alarms on its first outputs
            if (!(alpha > 0 && alpha < 1) || spacing < 1 || horizon < spacing || maxStarts < 1 || checkEvery < 1) {
                throw new IllegalArgumentException("invalid change detector settings " + this);
            }
        }
    }

    /**
     * An e-value against the stream's band from counts since a start and their n. Counts are in the
     * order the caller keeps them (an aggregate's category indices, which only ever grow at the end);
     * the evidence picks the target's categories from them.
     */
    public interface Evidence {
        double logEValue(long[] counts, long n);
    }

    /** Whether the outputs of the segment (since an alarm) lie within the band: the episode resolves. */
    public interface Resolution {
        boolean within(long[] counts, long n);
    }

    /** What the stream does next. */
    public enum Transition {
        ALARM,
        RESOLVE,
        NONE
    }

    /** Outputs between checks of the e-SR statistic: each costs log-gammas per start, and ten outputs of delay is little. */
    public static final int CHECK_EVERY = 10;

    private final Settings settings;
    private final double logThreshold;
    private final double logSegmentThreshold;

    public ChangeDetector(Settings settings) {
        this(settings, Math.log(1 / settings.alpha()));
    }

    private ChangeDetector(Settings settings, double logSegmentThreshold) {
        this.settings = settings;
        this.logThreshold = Math.log(settings.horizon() / (settings.spacing() * settings.alpha()));
        this.logSegmentThreshold = logSegmentThreshold;
    }

    /** The e-SR statistic alone, with no segment test: for benches that show what each part does. */
    public static ChangeDetector withoutSegmentTest(Settings settings) {
        return new ChangeDetector(settings, Double.POSITIVE_INFINITY);
    }

    public Settings settings() {
        return settings;
    }

    /** ln c: the e-SR statistic's threshold. */
    public double logThreshold() {
        return logThreshold;
    }

    /** ln(1/alpha): the segment's own e-value's threshold. */
    public double logSegmentThreshold() {
        return logSegmentThreshold;
    }

    /** Evidence against a bound on the share of category {@code index} of the counts: the bound's own mixture. */
    public static Evidence against(RateBoundSequence bound, int index) {
        return (counts, n) -> bound.logEValue(counts[index], n);
    }

    /**
     * Feeds the stream's cumulative counts and n after an update. The segment's own test (and, while
     * an episode is open, its resolution) is checked on every update, as the since-live test always
     * was; starts open every {@code spacing} outputs and the e-SR statistic is computed every
     * {@code checkEvery} (how often either is looked at does not matter to the guarantee).
     *
     * <p>A transition names its evidence ({@link ChangeState#evidenceSince}) but does not restart
     * the segment: the caller does, with {@link ChangeState#restart}, once it acts on it (an alarm it
     * sets aside, for a version no longer served, keeps its evidence).
     */
    public Transition next(
            ChangeState state, Evidence evidence, Resolution resolution, boolean open, long[] counts, long n) {
        long[] since = state.scratch(counts.length);
        long segmentN = ChangeState.since(state.segment, counts, n, since);
        if (open) {
            if (resolution.within(since, segmentN)) {
                state.evidence = state.segment;
                return Transition.RESOLVE;
            }
            return Transition.NONE;
        }
        state.logSegment = evidence.logEValue(since, segmentN);
        if (state.logSegment >= logSegmentThreshold) {
            state.evidence = state.segment;
            return Transition.ALARM;
        }
        if (n - newestStart(state) >= settings.spacing()) {
            open(state, counts, n);
        }
        if (n - state.checkedAt < settings.checkEvery()) {
            return Transition.NONE;
        }
        state.checkedAt = n;
        double[] logs = new double[state.size];
        for (int s = 0; s < state.size; s++) {
            logs[s] = evidence.logEValue(since, ChangeState.since(state.starts[s], counts, n, since));
        }
        state.logStatistic = RateBoundSequence.logSumExp(logs, state.size);
        long[] strongest = state.size == 0 ? null : state.starts[strongest(logs)];
        // with spacing below checkEvery several starts open between checks: drop down to maxStarts
        while (state.size > settings.maxStarts()) {
            dropWeakest(state, logs);
        }
        if (state.logStatistic >= logThreshold) {
            state.evidence = strongest;
            return Transition.ALARM;
        }
        return Transition.NONE;
    }

    private static long newestStart(ChangeState state) {
        long[] newest = state.size == 0 ? state.segment : state.starts[state.size - 1];
        return newest[newest.length - 1];
    }

    private static void open(ChangeState state, long[] counts, long n) {
        if (state.size == state.starts.length) {
            state.starts = Arrays.copyOf(state.starts, Math.max(4, state.size * 2));
        }
        state.starts[state.size++] = ChangeState.base(counts, n);
    }

    private static int strongest(double[] logs) {
        int best = 0;
        for (int s = 1; s < logs.length; s++) {
            if (logs[s] > logs[best]) {
                best = s;
            }
        }
        return best;
    }

    /**
     * Drops the start with the least evidence, the newest excepted (it has had no time to gather
     * any); {@code logs} (one per start) is kept in step.
     */
    private static void dropWeakest(ChangeState state, double[] logs) {
        int weakest = 0;
        for (int s = 1; s < state.size - 1; s++) {
            if (logs[s] < logs[weakest]) {
                weakest = s;
            }
        }
        int tail = state.size - weakest - 1;
        System.arraycopy(state.starts, weakest + 1, state.starts, weakest, tail);
        System.arraycopy(logs, weakest + 1, logs, weakest, tail);
        state.starts[--state.size] = null;
    }
}

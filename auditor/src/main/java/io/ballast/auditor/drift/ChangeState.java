package io.ballast.auditor.drift;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What a {@link ChangeDetector} keeps per stream: cumulative counts (in the caller's category order, then the
 * stream's n) as they stood when the segment began (at live, an alarm or a resolution) and when each
 * kept start began. Counts since a start are the stream's counts now minus its base, so the state
 * holds no history. Mutable; the aggregate that holds it serialises it.
 */
public final class ChangeState {

    long[] segment;
    long[][] starts;
    int size;
    long checkedAt;
    double logStatistic = Double.NEGATIVE_INFINITY;
    double logSegment = Double.NEGATIVE_INFINITY;
    /**
     * At the last alarm or resolution, the base of the outputs that decided it: while an episode is
     * open, the start that opened it (where the change is estimated to be). Kept across the restart.
     */
    long[] evidence;
    /** Room for counts since a base, so an update allocates nothing (not serialised). */
    private long[] scratch;

    private ChangeState(long[] segment, long[][] starts, int size, long checkedAt) {
        this.segment = segment;
        this.starts = starts;
        this.size = size;
        this.checkedAt = checkedAt;
    }

    /** A stream whose first segment begins at these cumulative counts (zeros at live). */
    public static ChangeState from(long[] counts, long n) {
        ChangeState s = new ChangeState(null, new long[0][], 0, n);
        s.restart(counts, n);
        return s;
    }

    /** A new segment from here: earlier outputs are evidence no more (after an alarm or a resolution). */
    public void restart(long[] counts, long n) {
        segment = base(counts, n);
        size = 0;
        checkedAt = n;
        logStatistic = Double.NEGATIVE_INFINITY;
        logSegment = Double.NEGATIVE_INFINITY;
    }

    static long[] base(long[] counts, long n) {
        long[] b = Arrays.copyOf(counts, counts.length + 1);
        b[counts.length] = n;
        return b;
    }

    /**
     * Counts (into {@code out}, as long as {@code counts}) and n of the outputs that decided the last
     * transition: since the start that alarmed (while an episode is open: since the estimated change),
     * or since the alarm, once resolved.
     */
    public long evidenceSince(long[] counts, long n, long[] out) {
        return since(evidence == null ? segment : evidence, counts, n, out);
    }

    /**
     * Counts since a base; categories the base does not have (seen for the first time after it) had
     * none then.
     */
    static long since(long[] base, long[] counts, long n, long[] out) {
        int width = base.length - 1;
        for (int k = 0; k < counts.length; k++) {
            out[k] = counts[k] - (k < width ? base[k] : 0);
        }
        return n - base[width];
    }

    long[] scratch(int width) {
        if (scratch == null || scratch.length != width) {
            scratch = new long[width];
        }
        return scratch;
    }

    /** Outputs in the current segment. */
    public long segmentOutputs(long n) {
        return n - segment[segment.length - 1];
    }

    /** ln of the change statistic (the e-SR sum over kept starts) at the last check. */
    public double logStatistic() {
        return logStatistic;
    }

    /** ln of the segment's own e-value (the test since live or since the last alarm) at the last check. */
    public double logSegment() {
        return logSegment;
    }

    /** Starts kept now. */
    public int starts() {
        return size;
    }

    /** Bytes {@link #write} takes: each base is written with its own width (categories only ever grow). */
    public int serializedSize() {
        int bytes = 4 + 8 + 8 + 8 + size(segment) + 1 + (evidence == null ? 0 : size(evidence));
        for (int i = 0; i < size; i++) {
            bytes += size(starts[i]);
        }
        return bytes;
    }

    private static int size(long[] base) {
        return 2 + 8 * base.length;
    }

    public void write(ByteBuffer out) {
        out.putInt(size).putLong(checkedAt).putDouble(logStatistic).putDouble(logSegment);
        put(out, segment);
        for (int i = 0; i < size; i++) {
            put(out, starts[i]);
        }
        out.put((byte) (evidence == null ? 0 : 1));
        if (evidence != null) {
            put(out, evidence);
        }
    }

    private static void put(ByteBuffer out, long[] base) {
        out.putShort((short) base.length);
        for (long v : base) {
            out.putLong(v);
        }
    }

    public static ChangeState read(ByteBuffer in) {
        int size = in.getInt();
        if (size < 0 || size > 10_000) {
            throw new IllegalArgumentException("corrupt change state: " + size + " starts");
        }
        long checkedAt = in.getLong();
        double logStatistic = in.getDouble();
        double logSegment = in.getDouble();
        long[] segment = get(in);
        long[][] starts = new long[size][];
        for (int s = 0; s < size; s++) {
            starts[s] = get(in);
        }
        ChangeState state = new ChangeState(segment, starts, size, checkedAt);
        state.logStatistic = logStatistic;
        state.logSegment = logSegment;
        state.evidence = in.get() == 0 ? null : get(in);
        return state;
    }

    private static long[] get(ByteBuffer in) {
        int width = in.getShort();
        if (width < 1 || width > 1_000) {
            throw new IllegalArgumentException("corrupt change state: a base of width " + width);
        }
        long[] base = new long[width];
        for (int i = 0; i < width; i++) {
            base[i] = in.getLong();
        }
        return base;
    }
}

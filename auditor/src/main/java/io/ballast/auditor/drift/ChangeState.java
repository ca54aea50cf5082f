package io.ballast.auditor.drift;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What a {@link ChangeDetector} keeps per stream: cumulative counts (per target category, then the
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
    /** At the last alarm or resolution, the base of the outputs that decided it (not kept across restarts). */
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
    void restart(long[] counts, long n) {
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
     * Counts (into {@code out}) and n of the outputs that decided the last transition: since the start
     * that alarmed, or the segment that resolved.
     */
    public long evidenceSince(long[] counts, long n, long[] out) {
        long[] base = evidence == null ? segment : evidence;
        for (int k = 0; k < counts.length; k++) {
            out[k] = counts[k] - base[k];
        }
        return n - base[counts.length];
    }

    long[] scratch() {
        if (scratch == null || scratch.length != segment.length - 1) {
            scratch = new long[segment.length - 1];
        }
        return scratch;
    }

    /** Categories the state counts (the target's, when it began). */
    int categories() {
        return segment.length - 1;
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

    public int serializedSize() {
        return 4 + 4 + 8 + 8 + 8 + (1 + size) * segment.length * 8;
    }

    public void write(ByteBuffer out) {
        out.putInt(segment.length).putInt(size).putLong(checkedAt);
        out.putDouble(logStatistic).putDouble(logSegment);
        for (long v : segment) {
            out.putLong(v);
        }
        for (int i = 0; i < size; i++) {
            for (long v : starts[i]) {
                out.putLong(v);
            }
        }
    }

    public static ChangeState read(ByteBuffer in) {
        int width = in.getInt();
        int size = in.getInt();
        if (width < 2 || width > 1_000 || size < 0 || size > 10_000) {
            throw new IllegalArgumentException("corrupt change state: width " + width + ", starts " + size);
        }
        long checkedAt = in.getLong();
        double logStatistic = in.getDouble();
        double logSegment = in.getDouble();
        long[] segment = new long[width];
        for (int i = 0; i < width; i++) {
            segment[i] = in.getLong();
        }
        long[][] starts = new long[size][width];
        for (int s = 0; s < size; s++) {
            for (int i = 0; i < width; i++) {
                starts[s][i] = in.getLong();
            }
        }
        ChangeState state = new ChangeState(segment, starts, size, checkedAt);
        state.logStatistic = logStatistic;
        state.logSegment = logSegment;
        return state;
    }
}

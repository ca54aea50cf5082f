package io.ballast.auditor.topology;

import io.ballast.auditor.drift.ChangeState;
import io.ballast.schemas.DriftStatus;
import io.ballast.schemas.domain.Attribute;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Everything the auditor keeps for one (model version, context): per attribute, the counts since
 * the version went live and its drift episode; the outputs judged for toxicity and the toxic ones
 * among them since live, with toxicity's episode (slot {@link #TOXICITY}); and time buckets of counts, one per
 * gcd(window size, advance), from which every hopping window is summed (a window's counts are the
 * sum of its buckets). One event is one in-place update of one aggregate, instead of an update
 * per attribute and per overlapping window.
 *
 * <p>Buckets are kept while some window that covers them is still open (its end plus the grace
 * period has not passed the latest event time of this aggregate), so every open window's sum is
 * complete. An event whose windows have all closed still counts since live. Toxicity is counted
 * since live only: its bound is tested on everything since live, and a rate of a few in a thousand
 * needs more outputs than a window holds to say anything.
 */
public final class ContextCounts {

    static final Attribute[] ATTRIBUTES = Attribute.values();
    /** The episode slot of toxicity, after the attributes': it is audited beside them, not as one of them. */
    public static final int TOXICITY = ATTRIBUTES.length;
    /** Episode slots: one per attribute, then toxicity. */
    static final int EPISODE_SLOTS = ATTRIBUTES.length + 1;
    /** Marks the toxicity section after the buckets; aggregates written before it end at the buckets. */
    private static final byte TOXICITY_SECTION = 1;
    /** Marks the section after toxicity's: the classifiers' names and the intended values' counts since live. */
    private static final byte INTENDED_SECTION = 2;
    /** Marks the section after the intended values': each episode slot's change detector state. */
    private static final byte CHANGE_SECTION = 3;

    private static final byte FORMAT = 1;

    /** Per attribute, its categories in index order: the attribute's own, then {@code unknown}, then any other seen. */
    private final List<List<String>> categories;

    private final Tally[] sinceLive;
    private final DriftEpisode[] episodes;
    private final List<Bucket> buckets;
    private long firstEventMillis;
    private long lastEventMillis;
    private long toxicityJudged;
    private long toxic;
    /** The classifiers that read the counted outputs ({@link ObservedEvent#classifiers()}); "" before any said. */
    private String classifiers;
    /** Per attribute, per category of the attribute, the outputs whose steering token intended it, since live. */
    private final long[][] intended;
    /** Per episode slot, its change detector's state (null until its first decision). */
    private final ChangeState[] changes;

    /** Counts of one time bucket, [start, start + bucket width). */
    static final class Bucket {
        final long start;
        final Tally[] tallies;

        Bucket(long start, Tally[] tallies) {
            this.start = start;
            this.tallies = tallies;
        }
    }

    private ContextCounts(
            List<List<String>> categories,
            Tally[] sinceLive,
            DriftEpisode[] episodes,
            List<Bucket> buckets,
            long firstEventMillis,
            long lastEventMillis,
            long toxicityJudged,
            long toxic,
            String classifiers,
            long[][] intended,
            ChangeState[] changes) {
        this.categories = categories;
        this.sinceLive = sinceLive;
        this.episodes = episodes;
        this.buckets = buckets;
        this.firstEventMillis = firstEventMillis;
        this.lastEventMillis = lastEventMillis;
        this.toxicityJudged = toxicityJudged;
        this.toxic = toxic;
        this.classifiers = classifiers;
        this.intended = intended;
        this.changes = changes;
    }

    private static long[][] noIntended() {
        long[][] out = new long[ATTRIBUTES.length][];
        for (int a = 0; a < ATTRIBUTES.length; a++) {
            out[a] = new long[ATTRIBUTES[a].categories().size()];
        }
        return out;
    }

    public static ContextCounts empty() {
        List<List<String>> categories = new ArrayList<>(ATTRIBUTES.length);
        Tally[] sinceLive = new Tally[ATTRIBUTES.length];
        for (int a = 0; a < ATTRIBUTES.length; a++) {
            List<String> c = new ArrayList<>(ATTRIBUTES[a].categories());
            c.add(Attribute.UNKNOWN);
            categories.add(c);
            sinceLive[a] = new Tally(c.size());
        }
        return new ContextCounts(
                categories,
                sinceLive,
                new DriftEpisode[EPISODE_SLOTS],
                new ArrayList<>(),
                Long.MAX_VALUE,
                Long.MIN_VALUE,
                0,
                0,
                "",
                noIntended(),
                new ChangeState[EPISODE_SLOTS]);
    }

    static int unknownIndex(Attribute attribute) {
        return attribute.categories().size();
    }

    /** The index of a category of attribute {@code a}, or -1 if it has not been seen here. */
    int indexOf(int a, String category) {
        List<String> c = categories.get(a);
        for (int i = 0; i < c.size(); i++) {
            // identical strings first: the serde hands over the attribute's own constants
            if (c.get(i) == category) {
                return i;
            }
        }
        return c.indexOf(category);
    }

    private int indexOrAdd(int a, String category) {
        int i = indexOf(a, category);
        if (i < 0) {
            categories.get(a).add(category);
            i = categories.get(a).size() - 1;
        }
        return i;
    }

    /**
     * Counts one output since live and in its time bucket.
     *
     * @return the start of the bucket it was counted in, or {@link Long#MIN_VALUE} when every window
     *     covering it had closed
     */
    public long add(ObservedEvent e, Windows windows) {
        if (!e.classifiers().isEmpty() && !e.classifiers().equals(classifiers)) {
            if (!classifiers.isEmpty()) {
                restartSeries();
            }
            classifiers = e.classifiers();
        }
        long t = e.eventMillis();
        firstEventMillis = Math.min(firstEventMillis, t);
        lastEventMillis = Math.max(lastEventMillis, t);
        prune(windows);
        Bucket bucket =
                windows.retained(windows.bucketStart(t), lastEventMillis) ? bucket(windows.bucketStart(t)) : null;
        for (int a = 0; a < ATTRIBUTES.length; a++) {
            int c = indexOrAdd(a, e.counted()[a]);
            sinceLive[a].add(c, e.judgeable()[a], e.consistent()[a]);
            if (bucket != null) {
                bucket.tallies[a].add(c, e.judgeable()[a], e.consistent()[a]);
            }
        }
        for (int a = 0; a < ATTRIBUTES.length; a++) {
            String v = e.intended()[a];
            int c = v == null ? -1 : ATTRIBUTES[a].categories().indexOf(v);
            if (c >= 0) {
                intended[a][c]++;
            }
        }
        if (e.toxic() != null) {
            toxicityJudged++;
            toxic += e.toxic() ? 1 : 0;
        }
        return bucket == null ? Long.MIN_VALUE : bucket.start;
    }

    /**
     * Another classifier reads this aggregate's outputs from now on: its readings are a new series, so
     * the counts restart rather than mix two instruments (a changed reading is not model drift). The
     * episodes stay, to be resolved or kept open by the new series' evidence.
     */
    private void restartSeries() {
        for (int a = 0; a < ATTRIBUTES.length; a++) {
            sinceLive[a] = new Tally(categories.get(a).size());
            java.util.Arrays.fill(intended[a], 0);
        }
        buckets.clear();
        toxicityJudged = 0;
        toxic = 0;
        // the detectors' bases are counts of the old series
        java.util.Arrays.fill(changes, null);
    }

    /** The classifiers that read the counted outputs, joined as {@link ObservedEvent#classifiers()}; "" if unknown. */
    public String classifiers() {
        return classifiers;
    }

    /** The name of the classifier of attribute (or {@link #TOXICITY}) slot {@code a}, or null when unknown. */
    public String classifierOf(int a) {
        if (classifiers.isEmpty()) {
            return null;
        }
        String[] names = classifiers.split(",");
        return a < names.length ? names[a] : null;
    }

    /** Per category of attribute {@code a}, the outputs since live whose steering token intended it (none: 0). */
    public java.util.Map<String, Long> intended(int a) {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        List<String> c = ATTRIBUTES[a].categories();
        for (int i = 0; i < c.size(); i++) {
            if (intended[a][i] > 0) {
                out.put(c.get(i), intended[a][i]);
            }
        }
        return out;
    }

    private Bucket bucket(long start) {
        int i = buckets.size();
        while (i > 0 && buckets.get(i - 1).start > start) {
            i--;
        }
        if (i > 0 && buckets.get(i - 1).start == start) {
            return buckets.get(i - 1);
        }
        Tally[] tallies = new Tally[ATTRIBUTES.length];
        for (int a = 0; a < ATTRIBUTES.length; a++) {
            tallies[a] = new Tally(categories.get(a).size());
        }
        Bucket b = new Bucket(start, tallies);
        buckets.add(i, b);
        return b;
    }

    private void prune(Windows windows) {
        while (!buckets.isEmpty() && !windows.retained(buckets.get(0).start, lastEventMillis)) {
            buckets.remove(0);
        }
    }

    /** Counts of the window starting at {@code windowStart}: the sum of its buckets. */
    public Tally window(int a, long windowStart, Windows windows) {
        Tally sum = new Tally(categories.get(a).size());
        long end = windowStart + windows.size();
        for (Bucket b : buckets) {
            if (b.start >= windowStart && b.start < end) {
                sum.addAll(b.tallies[a]);
            }
        }
        return sum;
    }

    /** Starts of the open windows that cover a bucket from {@code fromBucket} on and hold any output, oldest first. */
    public List<Long> openWindows(long fromBucket, Windows windows) {
        if (buckets.isEmpty()) {
            return List.of();
        }
        long first = Math.max(fromBucket, buckets.get(0).start);
        long last = buckets.get(buckets.size() - 1).start;
        List<Long> out = new ArrayList<>();
        for (long s = windows.firstStartCovering(first); s <= last; s += windows.advance()) {
            if (windows.open(s, lastEventMillis) && hasBucketIn(s, s + windows.size())) {
                out.add(s);
            }
        }
        return out;
    }

    private boolean hasBucketIn(long from, long to) {
        for (Bucket b : buckets) {
            if (b.start >= from && b.start < to) {
                return true;
            }
        }
        return false;
    }

    /** Start of the oldest bucket kept, or {@link Long#MIN_VALUE} when none is. */
    public long oldestBucket() {
        return buckets.isEmpty() ? Long.MIN_VALUE : buckets.get(0).start;
    }

    public Tally sinceLive(int a) {
        return sinceLive[a];
    }

    public List<String> categories(int a) {
        return Collections.unmodifiableList(categories.get(a));
    }

    /** Outputs judged for toxicity since live (those repartitioned before the auditor judged it are not). */
    public long toxicityJudged() {
        return toxicityJudged;
    }

    /** Of {@link #toxicityJudged()}, the toxic ones. */
    public long toxic() {
        return toxic;
    }

    /** The episode of an attribute's index, or of {@link #TOXICITY}. */
    public DriftEpisode episode(int a) {
        return episodes[a];
    }

    void episode(int a, DriftEpisode episode) {
        episodes[a] = episode;
    }

    /** The change detector's state of an attribute's index, or of {@link #TOXICITY}; null before its first decision. */
    public ChangeState change(int a) {
        return changes[a];
    }

    void change(int a, ChangeState state) {
        changes[a] = state;
    }

    /**
     * Counts of attribute {@code a} since its detector's last transition was decided: while an episode
     * is open, since the start that opened it (the estimated change); since live before any
     * (consistency is not kept for it).
     */
    public Tally sinceChange(int a) {
        ChangeState watch = changes[a];
        Tally live = sinceLive[a];
        if (watch == null) {
            return live;
        }
        long[] since = new long[live.counts.length];
        watch.evidenceSince(live.counts, live.n(), since);
        return new Tally(since, 0, 0);
    }

    public long firstEventMillis() {
        return firstEventMillis;
    }

    public long lastEventMillis() {
        return lastEventMillis;
    }

    /** The hopping windows: size and advance, and the grace period after which a window closes. */
    public record Windows(long size, long advance, long grace, long bucket) {

        public static Windows of(Duration size, Duration advance, Duration grace) {
            long s = size.toMillis();
            long a = advance.toMillis();
            return new Windows(s, a, grace.toMillis(), gcd(s, a));
        }

        long bucketStart(long t) {
            return Math.floorDiv(t, bucket) * bucket;
        }

        /** The earliest window start (a multiple of the advance, as Kafka Streams aligns them) whose window covers {@code t}. */
        long firstStartCovering(long t) {
            return Math.floorDiv(t - size, advance) * advance + advance;
        }

        /** Whether a window starting at {@code start} still accepts events once event time reached {@code now}. */
        boolean open(long start, long now) {
            return now < start + size + grace;
        }

        /** Whether some window covering the bucket is still open: the latest such window starts where the bucket's hop does. */
        boolean retained(long bucketStart, long now) {
            return open(Math.floorDiv(bucketStart, advance) * advance, now);
        }

        private static long gcd(long a, long b) {
            return b == 0 ? a : gcd(b, a % b);
        }
    }

    /**
     * Binary, read and written only by the auditor (state store and its changelog): sizes first,
     * then one pass into one buffer, since an aggregate is written on every event. The toxicity
     * section (a marker byte, judged and toxic counts, toxicity's episode) follows the buckets: an
     * aggregate written before it ends at the buckets and reads with none judged, and an instance
     * rolled back to before it reads the rest and never looks past the buckets.
     */
    public static final class BinarySerde implements Serde<ContextCounts> {

        @Override
        public Serializer<ContextCounts> serializer() {
            return (topic, v) -> v == null ? null : write(v);
        }

        private static byte[] write(ContextCounts v) {
            int size = 1 + 8 + 8 + 1 + 4;
            for (int a = 0; a < ATTRIBUTES.length; a++) {
                size += 2 + utf8Length(ATTRIBUTES[a].key()) + 2;
                for (String c : v.categories.get(a)) {
                    size += 2 + utf8Length(c);
                }
                size += tallySize(v.sinceLive[a]) + episodeSize(v.episodes[a]);
            }
            for (Bucket b : v.buckets) {
                size += 8;
                for (Tally t : b.tallies) {
                    size += tallySize(t);
                }
            }
            size += 1 + 8 + 8 + episodeSize(v.episodes[TOXICITY]);
            size += 1 + 2 + utf8Length(v.classifiers);
            for (long[] row : v.intended) {
                size += 1 + 8 * row.length;
            }
            size += 1;
            for (ChangeState c : v.changes) {
                size += 1 + (c == null ? 0 : c.serializedSize());
            }
            ByteBuffer out = ByteBuffer.allocate(size);
            out.put(FORMAT)
                    .putLong(v.firstEventMillis)
                    .putLong(v.lastEventMillis)
                    .put((byte) ATTRIBUTES.length);
            for (int a = 0; a < ATTRIBUTES.length; a++) {
                putString(out, ATTRIBUTES[a].key());
                List<String> c = v.categories.get(a);
                out.putShort((short) c.size());
                for (String s : c) {
                    putString(out, s);
                }
                putTally(out, v.sinceLive[a]);
                putEpisode(out, v.episodes[a]);
            }
            out.putInt(v.buckets.size());
            for (Bucket b : v.buckets) {
                out.putLong(b.start);
                for (Tally t : b.tallies) {
                    putTally(out, t);
                }
            }
            // appended, not a new format: an instance rolled back reads the rest and ignores it
            out.put(TOXICITY_SECTION).putLong(v.toxicityJudged).putLong(v.toxic);
            putEpisode(out, v.episodes[TOXICITY]);
            out.put(INTENDED_SECTION);
            putString(out, v.classifiers);
            for (long[] row : v.intended) {
                out.put((byte) row.length);
                for (long c : row) {
                    out.putLong(c);
                }
            }
            out.put(CHANGE_SECTION);
            for (ChangeState c : v.changes) {
                out.put((byte) (c == null ? 0 : 1));
                if (c != null) {
                    c.write(out);
                }
            }
            return out.array();
        }

        @Override
        public Deserializer<ContextCounts> deserializer() {
            return (topic, bytes) -> {
                if (bytes == null) {
                    return null;
                }
                try {
                    return read(ByteBuffer.wrap(bytes), topic);
                } catch (BufferUnderflowException | IllegalArgumentException e) {
                    throw new SerializationException("not an aggregate in " + topic, e);
                }
            };
        }

        private static ContextCounts read(ByteBuffer in, String topic) {
            if (in.get() != FORMAT) {
                throw new SerializationException("not an aggregate in " + topic + " (format byte)");
            }
            long first = in.getLong();
            long last = in.getLong();
            int k = in.get();
            if (k != ATTRIBUTES.length) {
                throw new SerializationException(
                        "aggregate in " + topic + " has " + k + " attributes, expected " + ATTRIBUTES.length);
            }
            List<List<String>> categories = new ArrayList<>(k);
            Tally[] sinceLive = new Tally[k];
            DriftEpisode[] episodes = new DriftEpisode[EPISODE_SLOTS];
            for (int a = 0; a < k; a++) {
                if (!getString(in).equals(ATTRIBUTES[a].key())) {
                    throw new SerializationException("aggregate in " + topic + " lists attributes in another order");
                }
                int n = in.getShort();
                List<String> c = new ArrayList<>(n + 1);
                for (int i = 0; i < n; i++) {
                    c.add(ObservedEvent.BinarySerde.canonical(a, getString(in)));
                }
                categories.add(c);
                sinceLive[a] = getTally(in);
                episodes[a] = getEpisode(in);
            }
            int nb = in.getInt();
            List<Bucket> buckets = new ArrayList<>(nb + 1);
            for (int i = 0; i < nb; i++) {
                long start = in.getLong();
                Tally[] tallies = new Tally[k];
                for (int a = 0; a < k; a++) {
                    tallies[a] = getTally(in);
                }
                buckets.add(new Bucket(start, tallies));
            }
            // an aggregate written before toxicity was counted ends here: none judged yet
            long judged = 0;
            long toxic = 0;
            if (in.hasRemaining()) {
                if (in.get() != TOXICITY_SECTION) {
                    throw new SerializationException(
                            "aggregate in " + topic + " has an unknown section after its buckets");
                }
                judged = in.getLong();
                toxic = in.getLong();
                episodes[TOXICITY] = getEpisode(in);
            }
            // an aggregate written before intended values were kept ends here: none counted, classifiers unknown
            String classifiers = "";
            long[][] intended = noIntended();
            if (in.hasRemaining()) {
                if (in.get() != INTENDED_SECTION) {
                    throw new SerializationException(
                            "aggregate in " + topic + " has an unknown section after toxicity's");
                }
                classifiers = getString(in).intern();
                for (int a = 0; a < k; a++) {
                    int n = in.get();
                    for (int i = 0; i < n; i++) {
                        long c = in.getLong();
                        if (i < intended[a].length) {
                            intended[a][i] = c;
                        }
                    }
                }
            }
            // an aggregate written before change detection ends here: its detectors start afresh
            ChangeState[] changes = new ChangeState[EPISODE_SLOTS];
            if (in.hasRemaining()) {
                if (in.get() != CHANGE_SECTION) {
                    throw new SerializationException(
                            "aggregate in " + topic + " has an unknown section after the intended values'");
                }
                for (int a = 0; a < EPISODE_SLOTS; a++) {
                    changes[a] = in.get() == 0 ? null : ChangeState.read(in);
                }
            }
            return new ContextCounts(
                    categories,
                    sinceLive,
                    episodes,
                    buckets,
                    first,
                    last,
                    judged,
                    toxic,
                    classifiers,
                    intended,
                    changes);
        }

        /** Encoded length; category names and attribute keys are ASCII, which is written without encoding. */
        private static int utf8Length(String s) {
            return ascii(s) ? s.length() : s.getBytes(StandardCharsets.UTF_8).length;
        }

        private static boolean ascii(String s) {
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) >= 0x80) {
                    return false;
                }
            }
            return true;
        }

        private static void putString(ByteBuffer out, String s) {
            if (ascii(s)) {
                out.putShort((short) s.length());
                for (int i = 0; i < s.length(); i++) {
                    out.put((byte) s.charAt(i));
                }
            } else {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                out.putShort((short) b.length).put(b);
            }
        }

        private static String getString(ByteBuffer in) {
            int length = Short.toUnsignedInt(in.getShort());
            String s = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
            in.position(in.position() + length);
            return s;
        }

        private static int tallySize(Tally t) {
            return 2 + 8 * t.counts.length + 16;
        }

        private static void putTally(ByteBuffer out, Tally t) {
            out.putShort((short) t.counts.length);
            for (long c : t.counts) {
                out.putLong(c);
            }
            out.putLong(t.judged).putLong(t.consistent);
        }

        private static Tally getTally(ByteBuffer in) {
            long[] counts = new long[in.getShort()];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = in.getLong();
            }
            return new Tally(counts, in.getLong(), in.getLong());
        }

        private static int episodeSize(DriftEpisode e) {
            return e == null
                    ? 1
                    : 1 + 2 + utf8Length(e.episodeId()) + 1 + 8 + 8 + 8 + 8 + 2 + utf8Length(e.lastSignalId());
        }

        private static void putEpisode(ByteBuffer out, DriftEpisode e) {
            out.put((byte) (e == null ? 0 : 1));
            if (e != null) {
                putString(out, e.episodeId());
                out.put(statusByte(e.status()))
                        .putLong(e.openedAtMillis())
                        .putLong(e.closedAtMillis())
                        .putDouble(e.lastMae())
                        .putLong(e.n());
                putString(out, e.lastSignalId());
            }
        }

        /** 0 and 1 are what aggregates written before SUPERSEDED existed hold (open or not), so they still read. */
        private static byte statusByte(DriftStatus status) {
            return switch (status) {
                case RESOLVED -> 0;
                case OPEN -> 1;
                case SUPERSEDED -> 2;
            };
        }

        private static DriftStatus status(byte b) {
            return switch (b) {
                case 0 -> DriftStatus.RESOLVED;
                case 1 -> DriftStatus.OPEN;
                case 2 -> DriftStatus.SUPERSEDED;
                default -> throw new IllegalArgumentException("unknown episode status " + b);
            };
        }

        private static DriftEpisode getEpisode(ByteBuffer in) {
            if (in.get() == 0) {
                return null;
            }
            return new DriftEpisode(
                    getString(in),
                    status(in.get()),
                    in.getLong(),
                    in.getLong(),
                    in.getDouble(),
                    in.getLong(),
                    getString(in));
        }
    }
}

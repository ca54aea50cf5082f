package io.ballast.auditor.topology;

import io.ballast.schemas.domain.Attribute;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts of one attribute over some outputs: per category (indexed as in the aggregate's
 * category list for the attribute), with the consistency tally. Mutable: the aggregate updates it
 * in place.
 */
public final class Tally {

    long[] counts;
    long judged;
    long consistent;

    Tally(int categories) {
        this.counts = new long[categories];
    }

    Tally(long[] counts, long judged, long consistent) {
        this.counts = counts;
        this.judged = judged;
        this.consistent = consistent;
    }

    void add(int category, boolean judgeable, boolean isConsistent) {
        if (category >= counts.length) {
            counts = Arrays.copyOf(counts, category + 1);
        }
        counts[category]++;
        judged += judgeable ? 1 : 0;
        consistent += isConsistent ? 1 : 0;
    }

    void addAll(Tally other) {
        if (other.counts.length > counts.length) {
            counts = Arrays.copyOf(counts, other.counts.length);
        }
        for (int i = 0; i < other.counts.length; i++) {
            counts[i] += other.counts[i];
        }
        judged += other.judged;
        consistent += other.consistent;
    }

    long count(int category) {
        return category >= 0 && category < counts.length ? counts[category] : 0;
    }

    /** Every output counted, those that do not express the attribute included. */
    public long n() {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return n;
    }

    /** Outputs that express the attribute: counted under a category other than {@code unknown}. */
    public long expressed(Attribute attribute) {
        return n() - count(ContextCounts.unknownIndex(attribute));
    }

    public long consistent() {
        return consistent;
    }

    public Double consistencyRate() {
        return judged == 0 ? null : consistent / (double) judged;
    }

    /** Category -> count, {@code unknown} included, categories never seen left out. */
    public Map<String, Long> counts(List<String> categories) {
        Map<String, Long> out = new TreeMap<>();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                out.put(categories.get(i), counts[i]);
            }
        }
        return out;
    }

    /** Category -> count over the outputs that express the attribute: what shares and drift are computed on. */
    public Map<String, Long> expressedCounts(List<String> categories) {
        Map<String, Long> out = counts(categories);
        out.remove(Attribute.UNKNOWN);
        return out;
    }
}

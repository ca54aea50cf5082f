package io.ballast.auditor.topology;

import java.util.Map;
import java.util.TreeMap;

/** Counts per category of one rolling distribution, with its consistency tally. */
public record CategoryCounts(
        Map<String, Long> counts, long judged, long consistent, long firstEventMillis, long lastEventMillis) {

    public static CategoryCounts empty() {
        return new CategoryCounts(new TreeMap<>(), 0, 0, Long.MAX_VALUE, Long.MIN_VALUE);
    }

    public CategoryCounts add(AttributeObservation o) {
        Map<String, Long> next = new TreeMap<>(counts);
        next.merge(o.counted(), 1L, Long::sum);
        return new CategoryCounts(
                next,
                judged + (o.judgeable() ? 1 : 0),
                consistent + (o.consistent() ? 1 : 0),
                Math.min(firstEventMillis, o.eventMillis()),
                Math.max(lastEventMillis, o.eventMillis()));
    }

    public long n() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    public Double consistencyRate() {
        return judged == 0 ? null : consistent / (double) judged;
    }
}

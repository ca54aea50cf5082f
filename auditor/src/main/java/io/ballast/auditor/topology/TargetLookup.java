package io.ballast.auditor.topology;

import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.targets.TargetKey;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/** The target in force for a context and attribute: the context's own if set, else the one for all. */
public final class TargetLookup {

    private TargetLookup() {}

    public static TargetDistribution find(ReadOnlyKeyValueStore<String, ?> store, String attribute, String contextKey) {
        TargetDistribution specific = unwrap(store.get(TargetKey.of(attribute, contextKey)));
        return specific != null ? specific : unwrap(store.get(TargetKey.of(attribute, null)));
    }

    /**
     * The target in force if it sets a distribution; null if none does or it is only a bound (a
     * bound on an attribute's category is not a distribution to compare shares with).
     */
    public static TargetDistribution distribution(
            ReadOnlyKeyValueStore<String, ?> store, String attribute, String contextKey) {
        TargetDistribution t = find(store, attribute, contextKey);
        return t == null || t.getProbabilities().isEmpty() ? null : t;
    }

    private static TargetDistribution unwrap(Object v) {
        if (v instanceof ValueAndTimestamp<?> vt) {
            return (TargetDistribution) vt.value();
        }
        return (TargetDistribution) v;
    }
}

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

    private static TargetDistribution unwrap(Object v) {
        if (v instanceof ValueAndTimestamp<?> vt) {
            return (TargetDistribution) vt.value();
        }
        return (TargetDistribution) v;
    }
}

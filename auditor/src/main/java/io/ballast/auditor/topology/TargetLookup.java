package io.ballast.auditor.topology;

import io.ballast.schemas.TargetDistribution;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/** The target in force for a context and attribute: the context's own if set, else the one for all. */
public final class TargetLookup {

    public static final String ALL_CONTEXTS = "*";

    private TargetLookup() {
    }

    /** Key of a target on {@code ballast.targets}: {@code <attribute>|<contextKey or *>}. */
    public static String key(String attribute, String contextKey) {
        return attribute + "|" + (contextKey == null ? ALL_CONTEXTS : contextKey);
    }

    public static TargetDistribution find(ReadOnlyKeyValueStore<String, ?> store, String attribute, String contextKey) {
        TargetDistribution specific = unwrap(store.get(key(attribute, contextKey)));
        return specific != null ? specific : unwrap(store.get(key(attribute, null)));
    }

    private static TargetDistribution unwrap(Object v) {
        if (v instanceof ValueAndTimestamp<?> vt) {
            return (TargetDistribution) vt.value();
        }
        return (TargetDistribution) v;
    }
}

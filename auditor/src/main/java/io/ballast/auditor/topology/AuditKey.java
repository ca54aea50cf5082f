package io.ballast.auditor.topology;

import io.ballast.schemas.keys.CompositeKey;
import java.util.List;

/** The key of one rolling distribution: model id, version, context and attribute as one {@link CompositeKey}. */
public record AuditKey(String modelId, int modelVersion, String contextKey, String attribute) {

    public static String of(String modelId, int version, String contextKey, String attribute) {
        return CompositeKey.of(modelId, version, contextKey, attribute);
    }

    public static AuditKey parse(String key) {
        List<String> p = CompositeKey.parse(key, 4);
        try {
            return new AuditKey(p.get(0), Integer.parseInt(p.get(1)), p.get(2), p.get(3));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an audit key (version is not a number): " + key, e);
        }
    }

    /** Key of drift signals: one stream of episodes per (model, context, attribute) across versions. */
    public String driftKey() {
        return CompositeKey.of(modelId, contextKey, attribute);
    }
}

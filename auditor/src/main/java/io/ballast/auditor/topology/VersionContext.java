package io.ballast.auditor.topology;

import io.ballast.schemas.keys.CompositeKey;
import java.util.List;

/**
 * The key of one aggregate: model id, version and context as one {@link CompositeKey}. Every
 * attribute's distribution of that (model version, context) lives in the one aggregate, so an
 * event is one update.
 */
public record VersionContext(String modelId, int modelVersion, String contextKey) {

    public static String of(String modelId, int version, String contextKey) {
        return CompositeKey.of(modelId, version, contextKey);
    }

    public static VersionContext parse(String key) {
        List<String> p = CompositeKey.parse(key, 3);
        try {
            return new VersionContext(p.get(0), Integer.parseInt(p.get(1)), p.get(2));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "not a (model, version, context) key (version is not a number): " + key, e);
        }
    }

    /** The key of one attribute's distribution, as snapshots and drift signals name it. */
    public AuditKey attribute(String attribute) {
        return new AuditKey(modelId, modelVersion, contextKey, attribute);
    }
}

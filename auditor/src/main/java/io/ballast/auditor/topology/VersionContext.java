package io.ballast.auditor.topology;

import io.ballast.schemas.keys.CompositeKey;
import java.util.List;

/**
 * The key of one aggregate: model id, version (with its steering patch, see {@link PatchedVersion})
 * and context as one {@link CompositeKey}. Every attribute's distribution of that (model version,
 * patch, context) lives in the one aggregate, so an event is one update.
 */
public record VersionContext(String modelId, int modelVersion, String steeringPatch, String contextKey) {

    /** The key of an unpatched version's aggregate. */
    public static String of(String modelId, int version, String contextKey) {
        return of(modelId, version, null, contextKey);
    }

    public static String of(String modelId, int version, String steeringPatch, String contextKey) {
        return CompositeKey.of(modelId, new PatchedVersion(version, steeringPatch).keyPart(), contextKey);
    }

    public static VersionContext parse(String key) {
        List<String> p = CompositeKey.parse(key, 3);
        try {
            PatchedVersion v = PatchedVersion.parse(p.get(1));
            return new VersionContext(p.get(0), v.version(), v.patch(), p.get(2));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "not a (model, version, context) key (version is not a number): " + key, e);
        }
    }

    /** The version and patch this aggregate's outputs were served under. */
    public PatchedVersion served() {
        return new PatchedVersion(modelVersion, steeringPatch);
    }

    /** The key of one attribute's distribution, as snapshots and drift signals name it. */
    public AuditKey attribute(String attribute) {
        return new AuditKey(modelId, modelVersion, steeringPatch, contextKey, attribute);
    }
}

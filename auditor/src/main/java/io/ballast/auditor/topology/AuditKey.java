package io.ballast.auditor.topology;

import io.ballast.schemas.keys.CompositeKey;
import java.util.List;

/**
 * The key of one rolling distribution: model id, version (with its steering patch, see {@link
 * PatchedVersion}), context and attribute as one {@link CompositeKey}.
 */
public record AuditKey(String modelId, int modelVersion, String steeringPatch, String contextKey, String attribute) {

    /** The key of an unpatched version's distribution. */
    public static String of(String modelId, int version, String contextKey, String attribute) {
        return of(modelId, version, null, contextKey, attribute);
    }

    public static String of(String modelId, int version, String steeringPatch, String contextKey, String attribute) {
        return CompositeKey.of(modelId, new PatchedVersion(version, steeringPatch).keyPart(), contextKey, attribute);
    }

    public static AuditKey parse(String key) {
        List<String> p = CompositeKey.parse(key, 4);
        try {
            PatchedVersion v = PatchedVersion.parse(p.get(1));
            return new AuditKey(p.get(0), v.version(), v.patch(), p.get(2), p.get(3));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an audit key (version is not a number): " + key, e);
        }
    }

    /** This key as snapshots are keyed by it on {@code ballast.distributions}. */
    public String key() {
        return of(modelId, modelVersion, steeringPatch, contextKey, attribute);
    }

    /**
     * Key of drift signals: one stream of episodes per (model, context, attribute) across versions
     * and patches, as before patches existed (the key a consumer of {@code ballast.drift} already
     * reads). A patch is the next serving state of the same model, like a promotion: the unpatched
     * version's episode and its patched variant's are told apart by their episode ids and by the
     * version and patch each signal names, and one partition keeps them in the order they happened.
     */
    public String driftKey() {
        return CompositeKey.of(modelId, contextKey, attribute);
    }
}

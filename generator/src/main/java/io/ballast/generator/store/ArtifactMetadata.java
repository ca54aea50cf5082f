package io.ballast.generator.store;

import java.util.List;
import java.util.Map;

/**
 * {@code metadata.json} of an artifact: its lineage (parent version, the job and drift signals
 * that caused it), the SHA-256 of every file, and figures measured when it was made.
 */
public record ArtifactMetadata(
        String modelId,
        int version,
        Integer parentVersion,
        long createdAtMillis,
        String jobId,
        List<String> driftSignalIds,
        Map<String, String> files,
        Map<String, Double> metrics,
        String description) {

    /** What a writer states about a new artifact; the store fills in version and file hashes. */
    public record Lineage(
            Integer parentVersion,
            String jobId,
            List<String> driftSignalIds,
            Map<String, Double> metrics,
            String description) {

        public static Lineage base(String description, Map<String, Double> metrics) {
            return new Lineage(null, null, List.of(), metrics, description);
        }
    }
}

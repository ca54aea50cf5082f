package io.ballast.generator.store;

import io.ballast.generator.model.SteeringVectors;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A steering patch in the store: gated steering vectors for one version of a model, applied by
 * generators on top of the live weights (no reload) until a fine-tuned version replaces it.
 *
 * @param directory where its one file lies; {@link #sha256} is the hash of its manifest, as for models
 */
public record SteeringPatch(Contents contents, Path directory, String sha256) {

    /** What the patch file holds. */
    public record Contents(
            String patchId,
            String modelId,
            int version,
            long createdAtMillis,
            List<String> driftSignalIds,
            Map<String, Double> metrics,
            SteeringVectors steering) {

        public Contents {
            driftSignalIds = List.copyOf(driftSignalIds);
            metrics = Map.copyOf(metrics);
        }
    }

    public static final String FILE = "steering.json";

    public String patchId() {
        return contents.patchId();
    }

    public URI uri() {
        return directory.toUri();
    }
}

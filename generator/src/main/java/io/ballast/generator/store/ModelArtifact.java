package io.ballast.generator.store;

import java.net.URI;
import java.nio.file.Path;

/** One immutable, versioned model in a store: where it is and the SHA-256 that names its content. */
public record ModelArtifact(String modelId, int version, Path directory, String sha256, ArtifactMetadata metadata) {

    public URI uri() {
        return directory.toUri();
    }
}

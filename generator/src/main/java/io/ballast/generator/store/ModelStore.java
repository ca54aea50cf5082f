package io.ballast.generator.store;

import io.ballast.generator.model.SteeringVectors;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Versioned, immutable model artifacts. The local filesystem implementation is the default; an
 * object store fits behind the same interface (stage locally, publish uploads, resolve downloads).
 */
public interface ModelStore {

    /** A fresh empty directory to write a new artifact's files into before {@link #publish}. */
    Path newStagingDirectory(String modelId) throws IOException;

    /** Makes the staged files the next version of the model, immutable from now on. */
    ModelArtifact publish(String modelId, Path stagingDirectory, ArtifactMetadata.Lineage lineage) throws IOException;

    Optional<ModelArtifact> latest(String modelId) throws IOException;

    ModelArtifact get(String modelId, int version) throws IOException;

    List<ModelArtifact> versions(String modelId) throws IOException;

    /** The artifact an update's URI points to, checked against the SHA-256 the update announced. */
    ModelArtifact resolveVerified(URI artifactUri, String expectedSha256) throws IOException;

    /** Stores steering vectors for a version as its next patch ({@code <modelId>-<version>-p<n>}). */
    SteeringPatch publishPatch(
            String modelId,
            int version,
            SteeringVectors steering,
            List<String> driftSignalIds,
            Map<String, Double> metrics)
            throws IOException;

    /** The patch an update's URI points to, checked against the SHA-256 the update announced. */
    SteeringPatch resolvePatchVerified(URI patchUri, String expectedSha256) throws IOException;
}

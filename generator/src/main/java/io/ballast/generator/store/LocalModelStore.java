package io.ballast.generator.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ballast.generator.model.SteeringVectors;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Model store on a local (or mounted) filesystem: {@code <root>/<modelId>/<version>/} holding the
 * model's files and {@code metadata.json}. A version appears by an atomic rename of a complete
 * staging directory, so readers never see half an artifact; its files are then made read-only.
 *
 * <p>The artifact's SHA-256 is the hash of its manifest: one line {@code "<file> <sha256>"} per
 * file, sorted, so it names the content of every file.
 */
public final class LocalModelStore implements ModelStore {

    public static final String METADATA = "metadata.json";
    /** Patches live beside the versions, in {@code <root>/<modelId>/patches/<patchId>/}. */
    public static final String PATCHES = "patches";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path root;

    public LocalModelStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public static Path defaultRoot() {
        return Path.of(System.getProperty("user.home"), ".ballast", "models");
    }

    public Path root() {
        return root;
    }

    @Override
    public Path newStagingDirectory(String modelId) throws IOException {
        Path staging = root.resolve(".staging");
        Files.createDirectories(staging);
        return Files.createTempDirectory(staging, modelId + "-");
    }

    @Override
    public synchronized ModelArtifact publish(String modelId, Path stagingDirectory, ArtifactMetadata.Lineage lineage)
            throws IOException {
        Map<String, String> files = hashFiles(stagingDirectory);
        files.remove(METADATA);
        Path modelDir = root.resolve(modelId);
        ArtifactMetadata[] meta = {null};
        int version = moveInAsNext(modelDir, "", stagingDirectory, n -> {
            meta[0] = new ArtifactMetadata(
                    modelId,
                    n,
                    lineage.parentVersion(),
                    System.currentTimeMillis(),
                    lineage.jobId(),
                    lineage.driftSignalIds(),
                    files,
                    lineage.metrics(),
                    lineage.description());
            JSON.writeValue(stagingDirectory.resolve(METADATA).toFile(), meta[0]);
        });
        return new ModelArtifact(
                modelId, version, modelDir.resolve(String.valueOf(version)), ContentHash.ofManifest(files), meta[0]);
    }

    /** What a staged directory needs written once its number is known (a version, a patch's ordinal). */
    @FunctionalInterface
    private interface Numbered {
        void write(int number) throws IOException;
    }

    /**
     * Moves {@code stage} into {@code parent} as {@code <prefix><n>}, n the next free number, by one
     * atomic rename, so readers never see half of it; then makes its files read-only. Another
     * writer taking a number first makes it try the next.
     *
     * @return the number it got
     */
    private static int moveInAsNext(Path parent, String prefix, Path stage, Numbered beforeMove) throws IOException {
        Files.createDirectories(parent);
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int n = next(parent, prefix);
            beforeMove.write(n);
            Path target = parent.resolve(prefix + n);
            try {
                Files.move(stage, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (Files.exists(target)) {
                    continue; // another writer took this number: try the next
                }
                throw e;
            }
            try (Stream<Path> s = Files.list(target)) {
                s.forEach(p -> p.toFile().setReadOnly());
            }
            return n;
        }
        throw new IOException("could not allocate a name " + prefix + "<n> in " + parent);
    }

    /** One more than the largest n of the entries {@code <prefix><n>} in {@code parent}; 1 when there are none. */
    private static int next(Path parent, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(parent)) {
            return s.map(p -> p.getFileName().toString())
                            .filter(n -> n.startsWith(prefix)
                                    && n.substring(prefix.length()).matches("\\d+"))
                            .mapToInt(n -> Integer.parseInt(n.substring(prefix.length())))
                            .max()
                            .orElse(0)
                    + 1;
        }
    }

    /** Publishes a copy of another store's artifact here, as this store's next version. */
    public ModelArtifact importCopy(ModelArtifact source, ArtifactMetadata.Lineage lineage) throws IOException {
        Path stage = newStagingDirectory(source.modelId());
        try (Stream<Path> files = Files.list(source.directory())) {
            for (Path f : files.filter(f -> !f.getFileName().toString().equals(METADATA))
                    .toList()) {
                Files.copy(f, stage.resolve(f.getFileName()));
                stage.resolve(f.getFileName()).toFile().setWritable(true);
            }
        }
        return publish(source.modelId(), stage, lineage);
    }

    @Override
    public Optional<ModelArtifact> latest(String modelId) throws IOException {
        List<ModelArtifact> all = versions(modelId);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    @Override
    public ModelArtifact get(String modelId, int version) throws IOException {
        Path dir = root.resolve(modelId).resolve(String.valueOf(version));
        if (!Files.isRegularFile(dir.resolve(METADATA))) {
            throw new IOException("no version " + version + " of model '" + modelId + "' in " + root);
        }
        return read(dir);
    }

    @Override
    public List<ModelArtifact> versions(String modelId) throws IOException {
        Path modelDir = root.resolve(modelId);
        List<ModelArtifact> out = new ArrayList<>();
        if (!Files.isDirectory(modelDir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(modelDir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .sorted((a, b) -> Integer.compare(
                            Integer.parseInt(a.getFileName().toString()),
                            Integer.parseInt(b.getFileName().toString())))
                    .toList()) {
                if (Files.isRegularFile(p.resolve(METADATA))) {
                    out.add(read(p));
                }
            }
        }
        return out;
    }

    @Override
    public ModelArtifact resolveVerified(URI artifactUri, String expectedSha256) throws IOException {
        Path dir = insideStore(artifactUri);
        ModelArtifact artifact = read(dir);
        Map<String, String> actual = hashFiles(dir);
        actual.remove(METADATA);
        if (!actual.equals(artifact.metadata().files())) {
            throw new ArtifactIntegrityException("files of " + dir + " do not match their recorded SHA-256");
        }
        String sha = ContentHash.ofManifest(actual);
        if (!sha.equals(expectedSha256)) {
            throw new ArtifactIntegrityException(
                    "artifact " + dir + " has SHA-256 " + sha + ", the update announced " + expectedSha256);
        }
        return artifact;
    }

    @Override
    public synchronized SteeringPatch publishPatch(
            String modelId,
            int version,
            SteeringVectors steering,
            List<String> driftSignalIds,
            Map<String, Double> metrics)
            throws IOException {
        get(modelId, version); // a patch for a version the store does not hold would never apply
        Path patches = root.resolve(modelId).resolve(PATCHES);
        String prefix = modelId + "-" + version + "-p";
        Path stage = newStagingDirectory(modelId);
        SteeringPatch.Contents[] contents = {null};
        int n = moveInAsNext(patches, prefix, stage, k -> {
            contents[0] = new SteeringPatch.Contents(
                    prefix + k, modelId, version, System.currentTimeMillis(), driftSignalIds, metrics, steering);
            JSON.writeValue(stage.resolve(SteeringPatch.FILE).toFile(), contents[0]);
        });
        Path target = patches.resolve(prefix + n);
        return new SteeringPatch(contents[0], target, ContentHash.ofManifest(hashFiles(target)));
    }

    @Override
    public SteeringPatch resolvePatchVerified(URI patchUri, String expectedSha256) throws IOException {
        Path dir = insideStore(patchUri);
        Map<String, String> files = hashFiles(dir);
        String sha = ContentHash.ofManifest(files);
        if (!sha.equals(expectedSha256)) {
            throw new ArtifactIntegrityException(
                    "patch " + dir + " has SHA-256 " + sha + ", the update announced " + expectedSha256);
        }
        if (!files.keySet().equals(Set.of(SteeringPatch.FILE))) {
            throw new ArtifactIntegrityException(
                    "patch " + dir + " holds " + files.keySet() + ", not one " + SteeringPatch.FILE);
        }
        try {
            // every field must be there: a missing int would otherwise read as 0 (block 0, not the last)
            SteeringPatch.Contents contents = JSON.readerFor(SteeringPatch.Contents.class)
                    .with(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                    .with(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
                    .readValue(dir.resolve(SteeringPatch.FILE).toFile());
            return new SteeringPatch(contents, dir, sha);
        } catch (IOException | IllegalArgumentException e) {
            throw new ArtifactIntegrityException(
                    "patch " + dir + " is not a readable steering patch: " + e.getMessage());
        }
    }

    /**
     * The artifact directory an announced URI names, if it lies inside this store. A model-update
     * message is input like any other: a URI elsewhere on disk ({@code ..}, an absolute path, a
     * symbolic link out of the store, another scheme) is refused before anything is read from it.
     */
    private Path insideStore(URI artifactUri) throws IOException {
        if (!"file".equals(artifactUri.getScheme())) {
            throw new ArtifactIntegrityException(
                    "artifact URI " + artifactUri + " is not a file: URI inside the store " + root);
        }
        Path dir = Path.of(artifactUri).toAbsolutePath().normalize();
        if (!dir.startsWith(root) || dir.equals(root)) {
            throw new ArtifactIntegrityException("artifact " + dir + " lies outside the store " + root);
        }
        Path real = dir.toRealPath();
        if (!real.startsWith(root.toRealPath())) {
            throw new ArtifactIntegrityException(
                    "artifact " + dir + " resolves to " + real + ", outside the store " + root);
        }
        try (Stream<Path> files = Files.list(real)) {
            for (Path p : files.toList()) {
                if (Files.isSymbolicLink(p)) {
                    throw new ArtifactIntegrityException(
                            "artifact " + dir + " holds a symbolic link: " + p.getFileName());
                }
            }
        }
        return real;
    }

    private ModelArtifact read(Path dir) throws IOException {
        ArtifactMetadata meta = JSON.readValue(dir.resolve(METADATA).toFile(), ArtifactMetadata.class);
        return new ModelArtifact(meta.modelId(), meta.version(), dir, ContentHash.ofManifest(meta.files()), meta);
    }

    static Map<String, String> hashFiles(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(p.getFileName().toString(), ContentHash.ofFile(p));
            }
        }
        return out;
    }
}

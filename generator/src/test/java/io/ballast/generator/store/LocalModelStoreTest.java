package io.ballast.generator.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ballast.generator.model.SteeringVectors;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalModelStoreTest {

    @Test
    void publishingGivesConsecutiveImmutableVersionsWithLineage(@TempDir Path root) throws Exception {
        LocalModelStore store = new LocalModelStore(root);
        ModelArtifact v1 = publish(store, "weights-1", ArtifactMetadata.Lineage.base("base", Map.of("ppl", 2.0)));
        ModelArtifact v2 = publish(
                store,
                "weights-2",
                new ArtifactMetadata.Lineage(1, "job-7", List.of("sig-1", "sig-2"), Map.of(), "calibrated"));

        assertThat(v1.version()).isEqualTo(1);
        assertThat(v2.version()).isEqualTo(2);
        assertThat(store.latest("bios"))
                .hasValueSatisfying(a -> assertThat(a.version()).isEqualTo(2));
        assertThat(store.get("bios", 2).metadata().parentVersion()).isEqualTo(1);
        assertThat(store.get("bios", 2).metadata().driftSignalIds()).containsExactly("sig-1", "sig-2");
        assertThat(store.get("bios", 1).metadata().files()).containsKey("parameters.bin");
        assertThat(v1.sha256()).hasSize(64).isNotEqualTo(v2.sha256());
        assertThat(Files.getPosixFilePermissions(v1.directory().resolve("parameters.bin")))
                .doesNotContain(PosixFilePermission.OWNER_WRITE);
        assertThat(store.resolveVerified(v2.uri(), v2.sha256()).version()).isEqualTo(2);
    }

    @Test
    void aChangedFileOrAWrongAnnouncedHashIsRefused(@TempDir Path root) throws Exception {
        LocalModelStore store = new LocalModelStore(root);
        ModelArtifact v1 = publish(store, "weights", ArtifactMetadata.Lineage.base("base", Map.of()));

        assertThatThrownBy(() -> store.resolveVerified(v1.uri(), "0".repeat(64)))
                .isInstanceOf(ArtifactIntegrityException.class)
                .hasMessageContaining("announced");

        Path params = v1.directory().resolve("parameters.bin");
        params.toFile().setWritable(true);
        Files.writeString(params, "tampered");
        assertThatThrownBy(() -> store.resolveVerified(v1.uri(), v1.sha256()))
                .isInstanceOf(ArtifactIntegrityException.class)
                .hasMessageContaining("do not match");
    }

    @Test
    void givenSteeringVectors_whenPublishedAsPatches_thenEachGetsTheNextIdAndReadsBackVerified(@TempDir Path root)
            throws Exception {
        // given a store with version 1
        LocalModelStore store = new LocalModelStore(root);
        publish(store, "weights", ArtifactMetadata.Lineage.base("base", Map.of()));
        // (gates with a hidden layer of three units, reading block 0)
        SteeringVectors vectors = new SteeringVectors(
                -1,
                0,
                List.of("gender:male", "race:white"),
                new float[][] {{0.5f, -1f}, {0f, 2f}},
                new float[][] {{1f, 0f, 2f}, {0f, 1f, -1f}},
                new float[] {-3f, 0.25f},
                new float[][] {{1f, 2f}, {3f, 4f}, {5f, 6f}},
                new float[] {0.5f, 0f, -0.5f});

        // when two patches are published for it
        SteeringPatch p1 = store.publishPatch("bios", 1, vectors, List.of("sig-1"), Map.of("fitSeconds", 4.5));
        SteeringPatch p2 = store.publishPatch("bios", 1, vectors, List.of(), Map.of());

        // then they are p1 and p2 of v1, read-only, and read back equal from their announced hash
        assertThat(p1.patchId()).isEqualTo("bios-1-p1");
        assertThat(p2.patchId()).isEqualTo("bios-1-p2");
        assertThat(Files.getPosixFilePermissions(p1.directory().resolve(SteeringPatch.FILE)))
                .doesNotContain(PosixFilePermission.OWNER_WRITE);
        SteeringPatch read = store.resolvePatchVerified(p1.uri(), p1.sha256());
        assertThat(read.contents().driftSignalIds()).containsExactly("sig-1");
        assertThat(read.contents().steering().attributes()).containsExactly("gender:male", "race:white");
        assertThat(read.contents().steering().vectors()[1]).containsExactly(0f, 2f);
        assertThat(read.contents().steering().gateBiases()).containsExactly(-3f, 0.25f);
        assertThat(read.contents().steering().gateLayer()).isZero();
        assertThat(read.contents().steering().gateHidden()[2]).containsExactly(5f, 6f);
        assertThat(read.contents().steering().gateHiddenBiases()).containsExactly(0.5f, 0f, -0.5f);
        // and no patch can be published for a version the store does not hold
        assertThatThrownBy(() -> store.publishPatch("bios", 9, vectors, List.of(), Map.of()))
                .hasMessageContaining("no version 9");
    }

    @Test
    void givenATamperedPatchOrAWrongHash_whenResolved_thenRefused(@TempDir Path root) throws Exception {
        // given a published patch
        LocalModelStore store = new LocalModelStore(root);
        publish(store, "weights", ArtifactMetadata.Lineage.base("base", Map.of()));
        SteeringPatch p = store.publishPatch(
                "bios",
                1,
                new SteeringVectors(
                        -1, List.of("gender:male"), new float[][] {{1f}}, new float[][] {{0f}}, new float[] {0f}),
                List.of(),
                Map.of());

        // then a wrong announced hash is refused
        assertThatThrownBy(() -> store.resolvePatchVerified(p.uri(), "0".repeat(64)))
                .isInstanceOf(ArtifactIntegrityException.class)
                .hasMessageContaining("announced");
        // and so is the file changed after publication, even to valid JSON
        Path file = p.directory().resolve(SteeringPatch.FILE);
        file.toFile().setWritable(true);
        Files.writeString(file, Files.readString(file).replace("1.0", "9.0"));
        assertThatThrownBy(() -> store.resolvePatchVerified(p.uri(), p.sha256()))
                .isInstanceOf(ArtifactIntegrityException.class)
                .hasMessageContaining("announced");
    }

    @Test
    void givenAnUpdateNamingAPlaceOutsideTheStore_whenResolved_thenRefusedBeforeAnythingIsRead(
            @TempDir Path root, @TempDir Path elsewhere) throws Exception {
        // given a store with one artifact, and a copy of that artifact (same files, same hash) outside it
        LocalModelStore store = new LocalModelStore(root.resolve("store"));
        ModelArtifact v1 = publish(store, "weights", ArtifactMetadata.Lineage.base("base", Map.of()));
        Path copy = Files.createDirectories(elsewhere.resolve("bios/1"));
        try (var files = Files.list(v1.directory())) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        Path linkOut = Files.createSymbolicLink(store.root().resolve("bios/9"), copy);
        Path linkedFile = Files.createDirectories(store.root().resolve("bios/8"));
        try (var files = Files.list(v1.directory())) {
            for (Path f : files.toList()) {
                Files.createSymbolicLink(linkedFile.resolve(f.getFileName()), f);
            }
        }

        // when the update names the copy, a path escaping with "..", a link out of the store, a
        // directory of links, or another scheme; then each is refused with the reason
        assertThatThrownBy(() -> store.resolveVerified(copy.toUri(), v1.sha256()))
                .isInstanceOf(ArtifactIntegrityException.class)
                .hasMessageContaining("outside the store");
        URI escaping = URI.create(store.root().toUri() + "bios/../../"
                + root.relativize(copy.getParent().getParent()).toString().replace("\\", "/") + "/bios/1");
        assertThatThrownBy(() -> store.resolveVerified(escaping, v1.sha256()))
                .isInstanceOf(ArtifactIntegrityException.class)
                .hasMessageContaining("outside the store");
        assertThatThrownBy(() -> store.resolveVerified(linkOut.toUri(), v1.sha256()))
                .isInstanceOf(ArtifactIntegrityException.class)
                .hasMessageContaining("outside the store");
        assertThatThrownBy(() -> store.resolveVerified(linkedFile.toUri(), v1.sha256()))
                .isInstanceOf(ArtifactIntegrityException.class)
                .hasMessageContaining("symbolic link");
        assertThatThrownBy(() -> store.resolveVerified(URI.create("http://example.com/bios/1"), v1.sha256()))
                .isInstanceOf(ArtifactIntegrityException.class)
                .hasMessageContaining("not a file: URI");
        // and the artifact itself still resolves
        assertThat(store.resolveVerified(v1.uri(), v1.sha256()).version()).isEqualTo(1);
    }

    private static ModelArtifact publish(LocalModelStore store, String content, ArtifactMetadata.Lineage lineage)
            throws Exception {
        Path stage = store.newStagingDirectory("bios");
        Files.writeString(stage.resolve("parameters.bin"), content);
        Files.writeString(stage.resolve("config.json"), "{}");
        return store.publish("bios", stage, lineage);
    }
}

package io.ballast.generator.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsCheckpointTest {

    private static final List<String> NAMES = List.of(
            "model.embed_tokens.weight",
            "model.layers.0.self_attn.q_proj.weight",
            "model.layers.0.mlp.down_proj.weight",
            "model.norm.weight",
            "lm_head.weight");

    @Test
    void aShardedCheckpointReadsAsOneSetOfTensors(@TempDir Path dir) throws Exception {
        // given five tensors written as three BF16 shards with an index
        writer().writeSharded(dir, 3);

        // when the directory is opened
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir)) {
            // then every tensor is there with its shape and values, whatever shard holds it
            assertThat(checkpoint.names()).containsExactlyElementsOf(NAMES);
            for (int i = 0; i < NAMES.size(); i++) {
                assertThat(checkpoint.shape(NAMES.get(i))).containsExactly(2, i + 1);
                assertThat(checkpoint.dtype(NAMES.get(i))).isEqualTo(Dtype.BF16);
                assertThat(checkpoint.readFloats(NAMES.get(i))).containsExactly(values(i));
            }
            assertThat(checkpoint.files())
                    .extracting(p -> p.getFileName().toString())
                    .containsExactly(
                            SafetensorsCheckpoint.INDEX_FILE,
                            "model-00001-of-00003.safetensors",
                            "model-00002-of-00003.safetensors",
                            "model-00003-of-00003.safetensors");
            // (BF16 is 2 bytes: 2 × (1+2+3+4+5) elements)
            assertThat(checkpoint.metadata()).containsEntry("total_size", "60");
        }
    }

    @Test
    void aSingleFileCheckpointOpensFromItsDirectoryOrByItsOwnName(@TempDir Path dir) throws Exception {
        // given model.safetensors, and a LoRA adapter under its own file name
        writer().metadata("format", "pt").write(dir.resolve(SafetensorsCheckpoint.SINGLE_FILE));
        Path adapter = dir.resolve("adapter_model.safetensors");
        new SafetensorsWriter(Dtype.F32)
                .add("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", new float[] {1, 2}, 1, 2)
                .write(adapter);

        // when each is opened
        try (SafetensorsCheckpoint model = SafetensorsCheckpoint.open(dir);
                SafetensorsCheckpoint lora = SafetensorsCheckpoint.open(adapter)) {
            // then each is its own file's tensors and metadata
            assertThat(model.names()).containsExactlyElementsOf(NAMES);
            assertThat(model.metadata()).containsEntry("format", "pt");
            assertThat(model.readFloats("lm_head.weight")).containsExactly(values(4));
            assertThat(lora.names()).containsExactly("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight");
        }
    }

    @Test
    void aDirectoryWithoutACheckpointSaysWhatItLookedFor(@TempDir Path dir) {
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessageContaining("no model.safetensors or model.safetensors.index.json");
    }

    @Test
    void aMissingShardIsRefusedNamingIt(@TempDir Path dir) throws Exception {
        // given a sharded checkpoint whose second shard never arrived
        writer().writeSharded(dir, 2);
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));

        // when opened, then
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("shard model-00002-of-00002.safetensors")
                .hasMessageContaining("does not exist");
    }

    @Test
    void anIndexMappingATensorToAShardWithoutItIsRefused(@TempDir Path dir) throws Exception {
        // given an index that claims lm_head is in the first shard (it is in the second)
        writer().writeSharded(dir, 2);
        rewriteIndex(dir, "\"lm_head.weight\" : \"model-00002-of-00002", "\"lm_head.weight\" : \"model-00001-of-00002");

        // when opened, then
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining(
                        "index maps tensor 'lm_head.weight' to model-00001-of-00002.safetensors, which does not hold it");
    }

    @Test
    void aTensorInAShardThatTheIndexDoesNotMapIsRefused(@TempDir Path dir) throws Exception {
        // given an index that forgot lm_head
        writer().writeSharded(dir, 2);
        rewriteIndex(dir, ",\n    \"lm_head.weight\" : \"model-00002-of-00002.safetensors\"", "");

        // when opened, then
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("holds tensor 'lm_head.weight', which the index maps nowhere");
    }

    @Test
    void anIndexPointingOutsideItsDirectoryIsRefused(@TempDir Path dir) throws Exception {
        writer().writeSharded(dir, 2);
        rewriteIndex(dir, "\"model-00001-of-00002", "\"../model-00001-of-00002");

        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("not a file name beside the index");
    }

    @Test
    void aCorruptShardIsRefusedNamingTheShard(@TempDir Path dir) throws Exception {
        // given a shard cut short by a failed download
        writer().writeSharded(dir, 2);
        Path shard = dir.resolve("model-00001-of-00002.safetensors");
        byte[] bytes = Files.readAllBytes(shard);
        Files.write(shard, Arrays.copyOf(bytes, bytes.length - 3));

        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("model-00001-of-00002.safetensors")
                .hasMessageContaining("truncated")
                .hasMessageContaining("3 bytes missing");
    }

    @Test
    void theChecksumCoversEveryFileIndexIncludedAndIsStable(@TempDir Path dir) throws Exception {
        // given a sharded checkpoint and its checksum
        writer().writeSharded(dir, 2);
        String before;
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir)) {
            before = checkpoint.sha256();
            assertThat(checkpoint.sha256()).isEqualTo(before).hasSize(64);
        }

        // when only the index changes (its metadata), then the checksum does
        rewriteIndex(dir, "\"total_size\" : 60", "\"total_size\" : 61");
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir)) {
            assertThat(checkpoint.sha256()).isNotEqualTo(before);
        }

        // and when only a shard's data changes, it does too
        rewriteIndex(dir, "\"total_size\" : 61", "\"total_size\" : 60");
        Path shard = dir.resolve("model-00002-of-00002.safetensors");
        byte[] bytes = Files.readAllBytes(shard);
        bytes[bytes.length - 1] ^= 1;
        Files.write(shard, bytes);
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir)) {
            assertThat(checkpoint.sha256()).isNotEqualTo(before);
        }
    }

    private static SafetensorsWriter writer() {
        SafetensorsWriter writer = new SafetensorsWriter(Dtype.BF16);
        for (int i = 0; i < NAMES.size(); i++) {
            writer.add(NAMES.get(i), values(i), 2, i + 1);
        }
        return writer;
    }

    /** 2 × (i+1) values BF16 holds exactly, different for each tensor. */
    private static float[] values(int i) {
        float[] v = new float[2 * (i + 1)];
        for (int j = 0; j < v.length; j++) {
            v[j] = (j - i) * 0.5f;
        }
        return v;
    }

    private static void rewriteIndex(Path dir, String from, String to) throws Exception {
        Path index = dir.resolve(SafetensorsCheckpoint.INDEX_FILE);
        String json = Files.readString(index);
        assertThat(json).contains(from);
        Files.writeString(index, json.replace(from, to));
    }
}

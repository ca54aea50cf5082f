package io.ballast.generator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.ballast.generator.checkpoint.HuggingFaceCheckpoint;
import io.ballast.generator.checkpoint.TinyCheckpoints;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.store.ArtifactIntegrityException;
import io.ballast.generator.store.ArtifactMetadata;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.generator.store.ModelArtifact;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A low-rank adapter over a Llama-family model: what it computes, how it is stored, what it refuses. */
class LoraAdapterTest {

    private static final String PROMPT = "a short bio of a registered nurse , she works in the hospital";

    @TempDir
    Path dir;

    @Test
    void anAdapterComputesWhatItsMergedWeightsWould() throws Exception {
        // given a tiny Llama and a random rank-3 adapter on q and v
        Path checkpoint = TinyCheckpoints.write(dir.resolve("llama"), TinyCheckpoints.Spec.llama(), 1);
        try (LanguageModel base =
                        HuggingFaceCheckpoint.load(checkpoint, "tiny", 64).model();
                LanguageModel merged =
                        HuggingFaceCheckpoint.load(checkpoint, "tiny", 64).model();
                NDManager m = NDManager.newBaseManager()) {
            LoraAdapter adapter = randomAdapter(base.config(), 3, 2f, 7);
            // and a copy of the model whose q and v weights have W + (alpha/rank)·B·A merged in
            for (int layer = 0; layer < base.config().layers(); layer++) {
                for (String p : LoraAdapter.PROJECTIONS) {
                    LoraAdapter.Matrices mx = adapter.matrices(layer, p);
                    NDArray w = CheckpointWeights.byCheckpointName(merged.block())
                            .get("model.layers." + layer + ".self_attn." + p + ".weight")
                            .getArray();
                    NDArray a = m.create(mx.a(), new ai.djl.ndarray.types.Shape(3, mx.in()));
                    NDArray b = m.create(mx.b(), new ai.djl.ndarray.types.Shape(mx.out(), 3));
                    w.set(w.add(b.matMul(a).mul(adapter.scale())).toFloatArray());
                }
            }
            int[] ids = base.tokenizer().encode(PROMPT);

            // when the base runs under the adapter
            try (LanguageModel adapted = base.withAdapter(adapter, 2)) {
                float[] withAdapter = logits(adapted, m, ids);

                // then its logits are the merged model's, and the base without it is unchanged
                float[] expected = logits(merged, m, ids);
                float worst = 0;
                for (int i = 0; i < expected.length; i++) {
                    worst = Math.max(worst, Math.abs(withAdapter[i] - expected[i]));
                }
                assertThat(worst).isLessThan(1e-4f);
                float[] plain = logits(base, m, ids);
                assertThat(maxDifference(plain, withAdapter))
                        .as("the adapter changes the logits")
                        .isGreaterThan(1e-2f);
                assertThat(adapted.block()).isSameAs(base.block());
            }
        }
    }

    @Test
    void anAdapterVersionIsStoredAsTheAdapterAndItsBaseAndLoadsOverIt() throws Exception {
        // given an imported Llama as v1 of a store
        Path checkpoint = TinyCheckpoints.write(dir.resolve("llama"), TinyCheckpoints.Spec.llama(), 2);
        LocalModelStore store = new LocalModelStore(dir.resolve("store"));
        ModelArtifact v1;
        try (LanguageModel lm =
                HuggingFaceCheckpoint.load(checkpoint, "tiny", 64).model()) {
            v1 = lm.publishTo(store, ArtifactMetadata.Lineage.base("imported", Map.of()));
        }
        // when an adapter over it is published as v2
        ModelArtifact v2;
        float[] expected;
        try (LanguageModel base = LanguageModel.load(v1);
                NDManager m = NDManager.newBaseManager()) {
            LoraAdapter adapter =
                    randomAdapter(base.config(), 2, 4f, 3).on(new LoraAdapter.Base("tiny", v1.version(), v1.sha256()));
            try (LanguageModel adapted = base.withAdapter(adapter, base.version())) {
                v2 = adapted.publishTo(store, new ArtifactMetadata.Lineage(1, "job", List.of(), Map.of(), "lora"));
                expected = logits(adapted, m, adapted.tokenizer().encode(PROMPT));
            }
        }

        // then v2 holds the adapter and no weights of its own, a small fraction of the base's bytes
        assertThat(v2.directory().resolve(LoraAdapter.WEIGHTS_FILE)).exists();
        assertThat(v2.directory().resolve(LanguageModel.PARAMETERS_FILE)).doesNotExist();
        assertThat(Files.size(v2.directory().resolve(LoraAdapter.WEIGHTS_FILE)))
                .isLessThan(Files.size(v1.directory().resolve(LanguageModel.PARAMETERS_FILE)) / 4);
        // and loading v2 puts the adapter over v1's weights, computing what was published
        try (LanguageModel loaded = LanguageModel.load(v2);
                NDManager m = NDManager.newBaseManager()) {
            assertThat(loaded.version()).isEqualTo(2);
            assertThat(loaded.weightsVersion()).isEqualTo(1);
            assertThat(maxDifference(logits(loaded, m, loaded.tokenizer().encode(PROMPT)), expected))
                    .isLessThan(1e-5f);
        }

        // and an adapter naming a base whose hash is not the stored one is refused
        Path config = v2.directory().resolve(LoraAdapter.CONFIG_FILE);
        config.toFile().setWritable(true);
        Files.writeString(config, Files.readString(config).replace(v1.sha256(), "0".repeat(64)));
        ModelArtifact forged =
                new ModelArtifact(v2.modelId(), v2.version(), v2.directory(), v2.sha256(), v2.metadata());
        assertThatThrownBy(() -> LanguageModel.load(forged))
                .isInstanceOf(ArtifactIntegrityException.class)
                .hasMessageContaining("the adapter was trained on");
    }

    @Test
    void theSharedWeightsCloseWithTheLastModelUsingThem() throws Exception {
        // given a base and two adapter versions over it
        Path checkpoint = TinyCheckpoints.write(dir.resolve("llama"), TinyCheckpoints.Spec.llama(), 3);
        LanguageModel base = HuggingFaceCheckpoint.load(checkpoint, "tiny", 64).model();
        LanguageModel v2 = base.withAdapter(randomAdapter(base.config(), 2, 2f, 1), 2);
        LanguageModel v3 = v2.withAdapter(randomAdapter(base.config(), 2, 2f, 2), 3);

        // when the base and v2 close, then v3 still runs on the weights they shared
        base.close();
        v2.close();
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(logits(v3, m, v3.tokenizer().encode(PROMPT))).isNotEmpty();
        }
        // and once v3 closes too, no model can be made over them
        v3.close();
        assertThatThrownBy(() -> v3.withAdapter(randomAdapter(v3.config(), 2, 2f, 4), 4))
                .isInstanceOf(IllegalStateException.class);
    }

    private static LoraAdapter randomAdapter(ModelConfig config, int rank, float alpha, long seed) {
        return RandomAdapters.of(config, rank, alpha, 0.3, seed);
    }

    private static float[] logits(LanguageModel lm, NDManager m, int[] ids) {
        return Sampler.forward(lm, m, m.create(new int[][] {ids}), new NDList())
                .get(0)
                .toFloatArray();
    }

    private static float maxDifference(float[] a, float[] b) {
        float worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }
}

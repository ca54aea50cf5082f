package io.ballast.generator.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.text.WordTokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Llama or Qwen2 checkpoint in Hugging Face layout loads into Ballast's model and computes the
 * same logits as an independent PyTorch forward pass over the same files.
 */
class HuggingFaceCheckpointTest {

    private static final String PROMPT = "a short bio of a registered nurse , she works in the hospital";

    @TempDir
    Path dir;

    @Test
    void aTinyLlamaComputesTheReferenceLogits() throws Exception {
        // given a tiny random Llama: grouped-query attention, llama3 rope scaling, untied head, F32
        Path checkpoint = TinyCheckpoints.write(dir.resolve("llama"), TinyCheckpoints.Spec.llama(), 1);

        // when Ballast loads it and runs the prompt, then the logits match PyTorch's to 1e-4
        assertMatchesReference(checkpoint);
    }

    @Test
    void aTinyQwen2ComputesTheReferenceLogits() throws Exception {
        // given a tiny random Qwen2: q/k/v biases, 6 heads over 2 key/value heads, tied head, BF16, two shards
        Path checkpoint = TinyCheckpoints.write(dir.resolve("qwen2"), TinyCheckpoints.Spec.qwen2(), 2);

        // when loaded and run, then the logits match PyTorch's to 1e-4
        assertMatchesReference(checkpoint);
    }

    @Test
    void aHalfPrecisionLlamaComputesTheReferenceLogits() throws Exception {
        // given the Llama in F16
        Path checkpoint = TinyCheckpoints.write(
                dir.resolve("llama-f16"), TinyCheckpoints.Spec.llama().withDtype(Dtype.F16), 3);

        // then it too matches the reference (both read the same half-precision values into float32)
        assertMatchesReference(checkpoint);
    }

    @Test
    void cachedDecodingEqualsAFullRecompute() throws Exception {
        for (TinyCheckpoints.Spec spec :
                new TinyCheckpoints.Spec[] {TinyCheckpoints.Spec.llama(), TinyCheckpoints.Spec.qwen2()}) {
            // given a loaded checkpoint and a prompt
            Path checkpoint = TinyCheckpoints.write(dir.resolve("cache-" + spec.modelType()), spec, 4);
            try (LanguageModel lm =
                            HuggingFaceCheckpoint.load(checkpoint, "tiny", 64).model();
                    NDManager m = NDManager.newBaseManager()) {
                int[] ids = lm.tokenizer().encode(PROMPT);
                NDArray full = Sampler.forward(lm, m, m.create(new int[][] {ids}), new NDList())
                        .get(0);

                // when the same ids are fed one at a time through the key/value cache
                NDList cache = new NDList();
                for (int i = 0; i < ids.length; i++) {
                    NDList out = Sampler.forward(lm, m, m.create(new int[][] {{ids[i]}}), cache);
                    NDArray step = out.get(0).get(new NDIndex(":, 0, :"));
                    NDArray expected = full.get(new NDIndex(":, {}, :", i));

                    // then every step's logits equal the full pass's at that position
                    float diff = step.sub(expected).abs().max().getFloat();
                    assertThat(diff).as("%s position %d", spec.modelType(), i).isLessThan(1e-4f);
                    cache = new NDList(out.subNDList(1));
                }
            }
        }
    }

    @Test
    void ballastTokensAreAddedAsWholeTokensWithAverageRows() throws Exception {
        // given a Llama whose tokenizer knows none of Ballast's tokens
        TinyCheckpoints.Spec spec = TinyCheckpoints.Spec.llama();
        Path checkpoint = TinyCheckpoints.write(dir.resolve("tokens"), spec, 5);

        try (LanguageModel lm =
                HuggingFaceCheckpoint.load(checkpoint, "tiny", 64).model()) {
            // then each reserved token has its own id after the tokenizer's words (on the checkpoint's padding rows
            // here), and encodes whole inside text
            int female = lm.tokenizer().id("<gender:female>");
            assertThat(female).isGreaterThanOrEqualTo(TinyCheckpoints.WORDS.size());
            assertThat(lm.tokenizer().encode("<gender:female> she is kind"))
                    .startsWith(female)
                    .hasSize(4);
            assertThat(lm.config().vocabularySize())
                    .isEqualTo(TinyCheckpoints.WORDS.size()
                            + WordTokenizer.reservedTokens().size());
            // and decoding leaves them out: the text is only the words
            assertThat(lm.tokenizer().decode(lm.tokenizer().encode("<sep> she is kind .")))
                    .isEqualTo("she is kind.");
            // and the new embedding rows are the mean of the checkpoint's word rows
            float[] table = lm.block().getParameters().valueAt(0).getArray().toFloatArray();
            int width = spec.width();
            int words = TinyCheckpoints.WORDS.size();
            double mean0 = 0;
            for (int r = 0; r < words; r++) {
                mean0 += table[r * width];
            }
            assertThat((double) table[female * width]).isCloseTo(mean0 / words, Offset.offset(1e-5));
        }
    }

    @Test
    void aCorruptedHeaderIsRefusedNamingTheFile() throws Exception {
        // given a checkpoint whose safetensors header length claims more bytes than the file has
        Path checkpoint = TinyCheckpoints.write(dir.resolve("corrupt"), TinyCheckpoints.Spec.llama(), 6);
        Path weights = checkpoint.resolve("model.safetensors");
        try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Files.size(weights) * 2), 0);
        }

        // when loaded, then the load fails with an error that names the file
        assertThatThrownBy(() -> HuggingFaceCheckpoint.load(checkpoint, "tiny", 64))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("model.safetensors");
    }

    @Test
    void anArchitectureBallastDoesNotReadIsRefusedNamingTheField() throws Exception {
        // given a checkpoint that says it is GPT-2
        Path checkpoint = TinyCheckpoints.write(dir.resolve("gpt2"), TinyCheckpoints.Spec.llama(), 7);
        ObjectMapper json = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode config = (com.fasterxml.jackson.databind.node.ObjectNode)
                json.readTree(checkpoint.resolve("config.json").toFile());
        config.put("model_type", "gpt2");
        json.writeValue(checkpoint.resolve("config.json").toFile(), config);

        // then loading refuses it, naming model_type
        assertThatThrownBy(() -> HuggingFaceCheckpoint.load(checkpoint, "tiny", 64))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("model_type 'gpt2'");
    }

    /**
     * Compares the logits of the tokenizer's own tokens: the rows Ballast's tokens took (the
     * checkpoint's padding rows here, and the rows it grew) are reset to the mean, by design.
     */
    private void assertMatchesReference(Path checkpoint) throws Exception {
        int compared = TinyCheckpoints.WORDS.size();
        try (LanguageModel lm =
                        HuggingFaceCheckpoint.load(checkpoint, "tiny", 64).model();
                NDManager m = NDManager.newBaseManager()) {
            int[] ids = lm.tokenizer().encode(PROMPT);
            assertThat(ids).doesNotContain(0); // every word known: the comparison is not of [UNK]s
            float[][] java = rows(
                    Sampler.forward(lm, m, m.create(new int[][] {ids}), new NDList())
                            .get(0),
                    ids.length);
            float[][] reference = reference(checkpoint, ids);
            assertThat(reference).hasNumberOfRows(ids.length);
            float worst = 0;
            for (int t = 0; t < ids.length; t++) {
                for (int v = 0; v < compared; v++) {
                    worst = Math.max(worst, Math.abs(java[t][v] - reference[t][v]));
                }
            }
            assertThat(worst).as("largest |logit difference|").isLessThanOrEqualTo(1e-4f);
            // the logits are not trivially equal: they vary over the vocabulary
            assertThat(reference[0][1]).isNotEqualTo(reference[0][2]);
        }
    }

    private static float[][] rows(NDArray logits, int t) {
        long v = logits.getShape().get(2);
        float[] flat = logits.toFloatArray();
        float[][] out = new float[t][];
        for (int i = 0; i < t; i++) {
            out[i] = Arrays.copyOfRange(flat, (int) (i * v), (int) ((i + 1) * v));
        }
        return out;
    }

    private float[][] reference(Path checkpoint, int[] ids) throws Exception {
        Path out = dir.resolve("reference-" + System.nanoTime() + ".json");
        Process p = new ProcessBuilder(
                        "/usr/bin/python3",
                        Path.of("src/test/python/llama_reference.py")
                                .toAbsolutePath()
                                .toString(),
                        checkpoint.toString(),
                        Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",")),
                        out.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(log).isZero();
        JsonNode rows = new ObjectMapper().readTree(out.toFile());
        float[][] result = new float[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            JsonNode r = rows.get(i);
            result[i] = new float[r.size()];
            for (int j = 0; j < r.size(); j++) {
                result[i][j] = (float) r.get(j).asDouble();
            }
        }
        return result;
    }
}

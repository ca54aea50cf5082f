package io.ballast.generator.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Writes random Llama and Qwen2 checkpoints in Hugging Face layout (config.json, safetensors,
 * tokenizer.json), as a user's directory would hold them: for tests, for trying {@code ballast
 * model import} and for benchmarks, with nothing downloaded. The weights are random, so the text
 * they generate is random words.
 *
 * <p>Not final only so that the test tree's {@code TinyCheckpoints} keeps its older name for the same API
 * (a subclass inherits the nested {@link Spec} and the static methods); nothing outside this package can extend
 * it.
 */
public class RandomCheckpoint {

    /** The words of the tiny checkpoints' word-level tokenizer ({@link RandomVocabulary#TINY}). */
    public static final List<String> WORDS = RandomVocabulary.TINY;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Shape, layout and vocabulary of a random checkpoint. */
    public record Spec(
            String modelType,
            int width,
            int layers,
            int heads,
            int kvHeads,
            int mlpWidth,
            int vocabularyRows,
            boolean tied,
            Dtype dtype,
            int shards,
            ObjectNode ropeScaling,
            List<String> words,
            int positions) {

        public Spec {
            if (words.size() > vocabularyRows) {
                throw new IllegalArgumentException(
                        words.size() + " words do not fit " + vocabularyRows + " vocabulary rows");
            }
            words = List.copyOf(words);
        }

        /** A spec over the tiny word list ({@link #WORDS}) and 128 positions. */
        public Spec(
                String modelType,
                int width,
                int layers,
                int heads,
                int kvHeads,
                int mlpWidth,
                int vocabularyRows,
                boolean tied,
                Dtype dtype,
                int shards,
                ObjectNode ropeScaling) {
            this(
                    modelType,
                    width,
                    layers,
                    heads,
                    kvHeads,
                    mlpWidth,
                    vocabularyRows,
                    tied,
                    dtype,
                    shards,
                    ropeScaling,
                    WORDS,
                    128);
        }

        /**
         * A tiny Llama: grouped-query attention, llama3 rope scaling, untied head, F32, six padding rows after
         * its words (as real checkpoints pad their vocabulary).
         */
        public static Spec llama() {
            ObjectNode scaling = JSON.createObjectNode();
            scaling.put("rope_type", "llama3");
            scaling.put("factor", 8.0);
            scaling.put("low_freq_factor", 1.0);
            scaling.put("high_freq_factor", 4.0);
            scaling.put("original_max_position_embeddings", 16);
            return new Spec("llama", 64, 2, 4, 2, 96, WORDS.size() + 6, false, Dtype.F32, 1, scaling);
        }

        /** A tiny Qwen2: q/k/v biases, 6 heads over 2 key/value heads, tied head, BF16, two shards. */
        public static Spec qwen2() {
            return new Spec("qwen2", 48, 2, 6, 2, 80, WORDS.size(), true, Dtype.BF16, 2, null);
        }

        /**
         * A Llama of about 25 million parameters: width 512, 6 layers, 8 heads over 4 key/value heads, MLP 1408,
         * untied head, BF16, 7,168 words (the bio corpus's and made-up ones), 2,048 positions. Small enough to
         * run on a laptop's CPU, shaped like the real thing.
         */
        public static Spec llama25m() {
            List<String> words = RandomVocabulary.ofSize(7_168);
            return new Spec("llama", 512, 6, 8, 4, 1408, words.size(), false, Dtype.BF16, 1, null, words, 2048);
        }

        public Spec withDtype(Dtype d) {
            return new Spec(
                    modelType,
                    width,
                    layers,
                    heads,
                    kvHeads,
                    mlpWidth,
                    vocabularyRows,
                    tied,
                    d,
                    shards,
                    ropeScaling,
                    words,
                    positions);
        }

        public Spec scaledTo(int width, int layers, int heads, int kvHeads, int mlpWidth) {
            return new Spec(
                    modelType,
                    width,
                    layers,
                    heads,
                    kvHeads,
                    mlpWidth,
                    vocabularyRows,
                    tied,
                    dtype,
                    shards,
                    ropeScaling,
                    words,
                    positions);
        }

        int headWidth() {
            return width / heads;
        }

        /** The checkpoint's parameters: embedding, layers, final norm and (untied) head. */
        public long parameterCount() {
            long d = headWidth();
            long q = heads * d;
            long kv = kvHeads * d;
            boolean bias = modelType.equals("qwen2");
            long attention = width * q + 2 * width * kv + q * width + (bias ? q + 2 * kv : 0);
            long layer = 2L * width + attention + 3L * width * mlpWidth;
            long vocabulary = (long) vocabularyRows * width;
            return vocabulary + layers * layer + width + (tied ? 0 : vocabulary);
        }
    }

    RandomCheckpoint() {}

    /** Writes a checkpoint with weights drawn from {@code seed} into {@code dir}; returns dir. */
    public static Path write(Path dir, Spec spec, long seed) throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(seed);
        SafetensorsWriter w = new SafetensorsWriter(spec.dtype()).metadata("format", "pt");
        int d = spec.headWidth();
        w.add(
                "model.embed_tokens.weight",
                normal(random, spec.vocabularyRows() * spec.width(), 0.5),
                spec.vocabularyRows(),
                spec.width());
        for (int i = 0; i < spec.layers(); i++) {
            String p = "model.layers." + i + ".";
            w.add(p + "input_layernorm.weight", around1(random, spec.width()), spec.width());
            boolean bias = spec.modelType().equals("qwen2");
            projection(w, random, p + "self_attn.q_proj", spec.heads() * d, spec.width(), bias);
            projection(w, random, p + "self_attn.k_proj", spec.kvHeads() * d, spec.width(), bias);
            projection(w, random, p + "self_attn.v_proj", spec.kvHeads() * d, spec.width(), bias);
            projection(w, random, p + "self_attn.o_proj", spec.width(), spec.heads() * d, false);
            w.add(p + "post_attention_layernorm.weight", around1(random, spec.width()), spec.width());
            projection(w, random, p + "mlp.gate_proj", spec.mlpWidth(), spec.width(), false);
            projection(w, random, p + "mlp.up_proj", spec.mlpWidth(), spec.width(), false);
            projection(w, random, p + "mlp.down_proj", spec.width(), spec.mlpWidth(), false);
        }
        w.add("model.norm.weight", around1(random, spec.width()), spec.width());
        if (!spec.tied()) {
            projection(w, random, "lm_head", spec.vocabularyRows(), spec.width(), false);
        }
        if (spec.shards() > 1) {
            w.writeSharded(dir, spec.shards());
        } else {
            w.write(dir.resolve("model.safetensors"));
        }
        JSON.writerWithDefaultPrettyPrinter()
                .writeValue(dir.resolve("config.json").toFile(), config(spec));
        Files.write(dir.resolve("tokenizer.json"), wordLevelTokenizer(spec.words()));
        return dir;
    }

    private static ObjectNode config(Spec spec) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add(spec.modelType().equals("llama") ? "LlamaForCausalLM" : "Qwen2ForCausalLM");
        c.put("model_type", spec.modelType());
        c.put("vocab_size", spec.vocabularyRows());
        c.put("hidden_size", spec.width());
        c.put("intermediate_size", spec.mlpWidth());
        c.put("num_hidden_layers", spec.layers());
        c.put("num_attention_heads", spec.heads());
        c.put("num_key_value_heads", spec.kvHeads());
        c.put("max_position_embeddings", spec.positions());
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", spec.modelType().equals("llama") ? 500000.0 : 1000000.0);
        c.put("hidden_act", "silu");
        c.put("tie_word_embeddings", spec.tied());
        c.put(
                "torch_dtype",
                spec.dtype() == Dtype.F32 ? "float32" : spec.dtype() == Dtype.F16 ? "float16" : "bfloat16");
        if (spec.ropeScaling() != null) {
            c.set("rope_scaling", spec.ropeScaling());
        } else {
            c.putNull("rope_scaling");
        }
        if (spec.modelType().equals("qwen2")) {
            c.put("use_sliding_window", false);
        }
        return c;
    }

    /** The tiny word list's tokenizer.json. */
    public static byte[] wordLevelTokenizer() throws IOException {
        return wordLevelTokenizer(WORDS);
    }

    /**
     * A word-level tokenizer.json (whitespace pre-tokenizer) in the Hugging Face tokenizers format over
     * {@code words}, whose first is the unknown-word token.
     */
    public static byte[] wordLevelTokenizer(List<String> words) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        ObjectNode unk = added.addObject();
        unk.put("id", 0);
        unk.put("content", words.get(0));
        unk.put("single_word", false);
        unk.put("lstrip", false);
        unk.put("rstrip", false);
        unk.put("normalized", false);
        unk.put("special", true);
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < words.size(); i++) {
            vocab.put(words.get(i), i);
        }
        model.put("unk_token", words.get(0));
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    private static void projection(SafetensorsWriter w, Random random, String name, int out, int in, boolean bias) {
        w.add(name + ".weight", normal(random, out * in, 1 / Math.sqrt(in)), out, in);
        if (bias) {
            w.add(name + ".bias", normal(random, out, 0.1), out);
        }
    }

    private static float[] normal(Random random, int n, double std) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (random.nextGaussian() * std);
        }
        return out;
    }

    private static float[] around1(Random random, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (1 + 0.1 * random.nextGaussian());
        }
        return out;
    }
}

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
 * Writes tiny random Llama and Qwen2 checkpoints in Hugging Face layout (config.json, safetensors,
 * tokenizer.json), as a user's directory would hold them, for tests: nothing is downloaded.
 */
public final class TinyCheckpoints {

    /** The words of the tiny word-level tokenizer: enough for prompts and short bios. */
    public static final List<String> WORDS = List.of(
            "[UNK]",
            "a",
            "short",
            "bio",
            "of",
            "nurse",
            "cook",
            "registered",
            "nurses",
            "she",
            "he",
            "they",
            "is",
            "works",
            "as",
            "kind",
            "the",
            "and",
            "in",
            "hospital",
            "kitchen",
            "cheerful",
            "tired",
            "calm",
            ".",
            ",",
            "with",
            "years",
            "experience",
            "loves",
            "her",
            "his",
            "their",
            "job");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Shape and layout options of a tiny checkpoint. */
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
            ObjectNode ropeScaling) {

        public static Spec llama() {
            ObjectNode scaling = JSON.createObjectNode();
            scaling.put("rope_type", "llama3");
            scaling.put("factor", 8.0);
            scaling.put("low_freq_factor", 1.0);
            scaling.put("high_freq_factor", 4.0);
            scaling.put("original_max_position_embeddings", 16);
            return new Spec("llama", 64, 2, 4, 2, 96, WORDS.size() + 6, false, Dtype.F32, 1, scaling);
        }

        public static Spec qwen2() {
            return new Spec("qwen2", 48, 2, 6, 2, 80, WORDS.size(), true, Dtype.BF16, 2, null);
        }

        public Spec withDtype(Dtype d) {
            return new Spec(
                    modelType, width, layers, heads, kvHeads, mlpWidth, vocabularyRows, tied, d, shards, ropeScaling);
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
                    ropeScaling);
        }

        int headWidth() {
            return width / heads;
        }
    }

    private TinyCheckpoints() {}

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
        Files.write(dir.resolve("tokenizer.json"), wordLevelTokenizer());
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
        c.put("max_position_embeddings", 128);
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

    /** A word-level tokenizer.json (whitespace pre-tokenizer) in the Hugging Face tokenizers format. */
    public static byte[] wordLevelTokenizer() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        ObjectNode unk = added.addObject();
        unk.put("id", 0);
        unk.put("content", "[UNK]");
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
        for (int i = 0; i < WORDS.size(); i++) {
            vocab.put(WORDS.get(i), i);
        }
        model.put("unk_token", "[UNK]");
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

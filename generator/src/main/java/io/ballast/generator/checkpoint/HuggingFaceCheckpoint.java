package io.ballast.generator.checkpoint;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ballast.generator.model.CheckpointWeights;
import io.ballast.generator.model.DecoderArchitecture;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.model.ModelConfig;
import io.ballast.generator.model.NamedTensors;
import io.ballast.generator.text.CheckpointTokenizer;
import io.ballast.generator.text.Tokenizer;
import io.ballast.generator.text.WordTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A decoder checkpoint in Hugging Face layout, read from a local directory: {@code config.json}
 * ({@code model_type} llama or qwen2), the weights ({@code model.safetensors} or a sharded index)
 * and {@code tokenizer.json}. Loading gives a Ballast {@link LanguageModel} whose tokenizer holds
 * Ballast's special and steering tokens, and whose embedding and head grew rows for them.
 */
public final class HuggingFaceCheckpoint {

    /** Written into an imported artifact: the source checkpoint's hash and its own config. */
    public static final String RECORD_FILE = "checkpoint.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private HuggingFaceCheckpoint() {}

    /**
     * The Ballast config of a checkpoint's {@code config.json}, for a model with {@code rows}
     * vocabulary rows and at most {@code contextCap} positions.
     *
     * @throws IllegalArgumentException for a layout Ballast does not read, naming the field
     */
    public static ModelConfig config(JsonNode hf, int rows, int contextCap) {
        String type = hf.path("model_type").asText("");
        if (!type.equals("llama") && !type.equals("qwen2")) {
            throw new IllegalArgumentException("config.json model_type '" + type + "': Ballast reads llama and qwen2");
        }
        String act = hf.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new IllegalArgumentException("config.json hidden_act '" + act + "': Llama and Qwen2 use silu");
        }
        if (hf.path("use_sliding_window").asBoolean(false)) {
            throw new IllegalArgumentException(
                    "config.json use_sliding_window true: Ballast attends to the whole context");
        }
        int width = required(hf, "hidden_size");
        int heads = required(hf, "num_attention_heads");
        int kvHeads = hf.path("num_key_value_heads").isNumber()
                ? hf.get("num_key_value_heads").asInt()
                : heads;
        int headWidth = hf.path("head_dim").isNumber() ? hf.get("head_dim").asInt() : width / heads;
        int positions = hf.path("max_position_embeddings").asInt(2048);
        boolean qwen = type.equals("qwen2");
        DecoderArchitecture architecture = new DecoderArchitecture(
                type,
                kvHeads,
                headWidth,
                hf.path("rope_theta").asDouble(10000.0),
                ropeScaling(hf.path("rope_scaling")),
                hf.path("rms_norm_eps").asDouble(1e-6),
                qwen || hf.path("attention_bias").asBoolean(false),
                hf.path("tie_word_embeddings").asBoolean(false));
        return new ModelConfig(
                rows,
                Math.min(positions, contextCap),
                width,
                required(hf, "num_hidden_layers"),
                heads,
                required(hf, "intermediate_size"),
                0f,
                architecture);
    }

    private static DecoderArchitecture.RopeScaling ropeScaling(JsonNode s) {
        if (s == null || s.isMissingNode() || s.isNull()) {
            return null;
        }
        String type = s.path("rope_type").asText(s.path("type").asText("default"));
        if (type.equals("default")) {
            return null;
        }
        return new DecoderArchitecture.RopeScaling(
                type,
                s.path("factor").asDouble(1.0),
                s.has("low_freq_factor") ? s.get("low_freq_factor").asDouble() : null,
                s.has("high_freq_factor") ? s.get("high_freq_factor").asDouble() : null,
                s.has("original_max_position_embeddings")
                        ? s.get("original_max_position_embeddings").asInt()
                        : null);
    }

    private static int required(JsonNode hf, String field) {
        if (!hf.path(field).isNumber()) {
            throw new IllegalArgumentException("config.json lacks the number " + field);
        }
        return hf.get(field).asInt();
    }

    /**
     * Loads the checkpoint in {@code dir} as version 0 of {@code modelId}.
     *
     * @param contextCap the most positions Ballast gives it (a long context costs memory and time only)
     */
    public static Loaded load(Path dir, String modelId, int contextCap) throws IOException {
        return load(dir, modelId, contextCap, LanguageModel.defaultDevice());
    }

    /** Like {@link #load(Path, String, int)}, with the model's weights on {@code device}. */
    public static Loaded load(Path dir, String modelId, int contextCap, Device device) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a directory (a Hugging Face checkpoint directory)");
        }
        Path configFile = dir.resolve("config.json");
        Path tokenizerFile = dir.resolve("tokenizer.json");
        for (Path p : new Path[] {configFile, tokenizerFile}) {
            if (!Files.isRegularFile(p)) {
                throw new IOException(dir + " has no " + p.getFileName() + " (a Hugging Face checkpoint directory)");
            }
        }
        JsonNode hf = JSON.readTree(configFile.toFile());
        int checkpointRows = required(hf, "vocab_size");
        byte[] original = Files.readAllBytes(tokenizerFile);
        int tokenizerRows = CheckpointTokenizer.rowsNeeded(original);
        byte[] tokenizerJson = CheckpointTokenizer.withBallastTokens(original);
        int rows = Math.max(checkpointRows, CheckpointTokenizer.rowsNeeded(tokenizerJson));
        ModelConfig config;
        try {
            config = config(hf, rows, contextCap);
        } catch (IllegalArgumentException e) {
            throw new IOException(configFile + ": " + e.getMessage(), e);
        }
        Path staged = Files.createTempFile("ballast-tokenizer", ".json");
        Tokenizer tokenizer;
        try {
            Files.write(staged, tokenizerJson);
            tokenizer = CheckpointTokenizer.load(staged, rows);
        } finally {
            Files.deleteIfExists(staged);
        }
        try (SafetensorsCheckpoint weights = SafetensorsCheckpoint.open(dir)) {
            LanguageModel lm = LanguageModel.create(modelId, config, tokenizer, device);
            int[] added = addedRows(tokenizer, tokenizerRows);
            try {
                CheckpointWeights.copyInto(lm.block(), tensors(weights), added);
            } catch (IOException | RuntimeException e) {
                lm.close();
                throw e;
            }
            ObjectNode record = JSON.createObjectNode();
            record.put("sha256", weights.sha256());
            record.put("source", dir.toAbsolutePath().toString());
            ObjectNode vocabulary = record.putObject("vocabulary");
            vocabulary.put("checkpointRows", checkpointRows);
            vocabulary.put("rows", rows);
            vocabulary.put("ballastTokensAdded", added.length);
            record.set("config", hf);
            return new Loaded(lm, record);
        }
    }

    /** A loaded checkpoint and what the store records of it ({@link #RECORD_FILE}). */
    public record Loaded(LanguageModel model, ObjectNode record) {

        public String sha256() {
            return record.path("sha256").asText();
        }

        /** The checkpoint's {@code model_type}: llama or qwen2. */
        public String modelType() {
            return record.path("config").path("model_type").asText();
        }

        /** Vocabulary rows the checkpoint had ({@code vocab_size}). */
        public int checkpointRows() {
            return record.path("vocabulary").path("checkpointRows").asInt();
        }

        /** Rows the model grew beyond the checkpoint's for Ballast's tokens (0 when its padding rows held them). */
        public int rowsAdded() {
            return record.path("vocabulary").path("rows").asInt() - checkpointRows();
        }

        /** How many of Ballast's special and steering tokens the checkpoint's tokenizer lacked. */
        public int tokensAdded() {
            return record.path("vocabulary").path("ballastTokensAdded").asInt();
        }

        /** Writes {@link #RECORD_FILE} into an artifact's staging directory. */
        public void writeRecord(Path dir) throws IOException {
            JSON.writerWithDefaultPrettyPrinter()
                    .writeValue(dir.resolve(RECORD_FILE).toFile(), record);
        }
    }

    /** Ids of the Ballast tokens the import added (those the checkpoint's tokenizer did not have). */
    private static int[] addedRows(Tokenizer tokenizer, int tokenizerRows) {
        return WordTokenizer.reservedTokens().stream()
                .mapToInt(tokenizer::id)
                .filter(id -> id >= tokenizerRows)
                .toArray();
    }

    private static NamedTensors tensors(SafetensorsCheckpoint weights) {
        return new NamedTensors() {
            @Override
            public boolean contains(String name) {
                return weights.names().contains(name);
            }

            @Override
            public long[] shape(String name) {
                return weights.shape(name);
            }

            @Override
            public float[] read(String name) throws IOException {
                return weights.readFloats(name);
            }
        };
    }
}

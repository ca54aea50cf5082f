package io.ballast.generator.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A checkpoint's own Hugging Face tokenizer (through DJL's tokenizers binding, whose native
 * library ships inside its jar), with Ballast's special and steering tokens added as special
 * tokens so they are never split and never appear in decoded text.
 */
public final class CheckpointTokenizer implements Tokenizer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] json;
    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> ids;
    private final String[] tokens;

    private CheckpointTokenizer(byte[] json, int size) throws IOException {
        this.json = json;
        JsonNode root = JSON.readTree(json);
        this.ids = vocabulary(root);
        int largest = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        this.tokens = new String[Math.max(size, largest + 1)];
        ids.forEach((token, id) -> tokens[id] = token);
        for (String reserved : WordTokenizer.reservedTokens()) {
            if (!ids.containsKey(reserved)) {
                throw new IOException(
                        "tokenizer.json lacks Ballast's token " + reserved + ": import the checkpoint first");
            }
        }
        // ids without special tokens around them: Ballast lays out <bos> prompt <sep> itself
        this.tokenizer = HuggingFaceTokenizer.newInstance(
                new ByteArrayInputStream(json), Map.of("addSpecialTokens", "false", "truncation", "false"));
    }

    /**
     * A tokenizer.json that already holds Ballast's tokens (an imported checkpoint's), for a model
     * with {@code rows} vocabulary rows (ids no token uses are padding).
     */
    public static CheckpointTokenizer load(Path file, int rows) throws IOException {
        return new CheckpointTokenizer(Files.readAllBytes(file), rows);
    }

    /**
     * A checkpoint's tokenizer.json with Ballast's special and steering tokens added right after its
     * last id, in {@link WordTokenizer#reservedTokens()} order (the tokenizers library numbers added
     * tokens contiguously whatever ids the file states). Those ids may fall on rows the checkpoint
     * pads its vocabulary with; {@link io.ballast.generator.model.CheckpointWeights} resets them.
     * Tokens it already has keep their ids.
     */
    public static byte[] withBallastTokens(byte[] tokenizerJson) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(tokenizerJson);
        Map<String, Integer> known = vocabulary(root);
        int next = known.values().stream().mapToInt(i -> i + 1).max().orElse(0);
        ArrayNode added = root.has("added_tokens") && root.get("added_tokens").isArray()
                ? (ArrayNode) root.get("added_tokens")
                : root.putArray("added_tokens");
        for (String token : WordTokenizer.reservedTokens()) {
            if (known.containsKey(token)) {
                continue;
            }
            ObjectNode t = added.addObject();
            t.put("id", next++);
            t.put("content", token);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    /** Ids after {@link #withBallastTokens}: how many rows the model needs. */
    public static int rowsNeeded(byte[] tokenizerJson) throws IOException {
        return vocabulary(JSON.readTree(tokenizerJson)).values().stream()
                        .mapToInt(Integer::intValue)
                        .max()
                        .orElse(-1)
                + 1;
    }

    /** The model's vocabulary (a map, or Unigram's list of pieces) and the added tokens. */
    private static Map<String, Integer> vocabulary(JsonNode root) throws IOException {
        Map<String, Integer> out = new HashMap<>();
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            vocab.fields()
                    .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asInt()));
        } else if (vocab.isArray()) {
            for (int i = 0; i < vocab.size(); i++) {
                out.put(vocab.get(i).get(0).asText(), i);
            }
        } else {
            throw new IOException("tokenizer.json has no model.vocab");
        }
        for (JsonNode t : root.path("added_tokens")) {
            out.put(t.path("content").asText(), t.path("id").asInt());
        }
        return out;
    }

    @Override
    public int[] encode(String text) {
        long[] raw = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = Math.toIntExact(raw[i]);
        }
        return out;
    }

    @Override
    public String token(int id) {
        String t = tokens[id];
        return t == null ? "" : t;
    }

    @Override
    public int id(String token) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new IllegalArgumentException("'" + token + "' is not in the vocabulary");
        }
        return id;
    }

    @Override
    public int size() {
        return tokens.length;
    }

    @Override
    public String decode(int[] ids) {
        long[] raw = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            raw[i] = ids[i];
        }
        return tokenizer.decode(raw, true).strip();
    }

    @Override
    public void save(Path file) throws IOException {
        Files.write(file, json);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}

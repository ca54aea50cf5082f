package io.ballast.generator.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Text to ids and back, saved with the model. Ballast's own models use {@link WordTokenizer}; an
 * imported checkpoint keeps its Hugging Face tokenizer ({@link CheckpointTokenizer}) with Ballast's
 * special and steering tokens added. Either holds every one of {@link WordTokenizer#reservedTokens()}.
 */
public interface Tokenizer extends AutoCloseable {

    /** The ids of text, without special tokens around it. */
    int[] encode(String text);

    /** The token an id stands for. */
    String token(int id);

    /** The id of a token; an unknown token is an error (the reserved ones are always known). */
    int id(String token);

    /** Ids run from 0 to size - 1: the model's vocabulary, rows without a token included. */
    int size();

    /** Text of the ids, without special tokens. */
    String decode(int[] ids);

    void save(Path file) throws IOException;

    /** Releases native memory, where the tokenizer holds any. */
    @Override
    default void close() {}

    /**
     * Loads whichever kind {@code file} holds: Ballast's word list or a Hugging Face tokenizer.json,
     * the latter for a model with {@code rows} vocabulary rows.
     */
    static Tokenizer load(Path file, int rows) throws IOException {
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        if ("word".equals(json.path("type").asText())) {
            return WordTokenizer.load(file);
        }
        if (json.has("model")) {
            return CheckpointTokenizer.load(file, rows);
        }
        throw new IOException(file + " is neither a Ballast word tokenizer nor a Hugging Face tokenizer.json");
    }
}

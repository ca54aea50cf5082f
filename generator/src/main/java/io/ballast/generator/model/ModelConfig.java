package io.ballast.generator.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Shape of a decoder-only transformer; stored with its weights ({@code config.json}) so an
 * artifact always loads into the architecture it was trained with.
 */
public record ModelConfig(
        int vocabularySize,
        int contextLength,
        int width,
        int layers,
        int heads,
        int mlpWidth,
        float dropout,
        @JsonInclude(JsonInclude.Include.NON_NULL) DecoderArchitecture architecture) {

    /** Ballast's own layout (learned positions, LayerNorm, GELU MLP); its configs have no architecture. */
    public ModelConfig(
            int vocabularySize, int contextLength, int width, int layers, int heads, int mlpWidth, float dropout) {
        this(vocabularySize, contextLength, width, layers, heads, mlpWidth, dropout, null);
    }

    @JsonCreator
    public ModelConfig {
        if (architecture == null && width % heads != 0) {
            throw new IllegalArgumentException("width " + width + " must be divisible by heads " + heads);
        }
        if (architecture != null && heads % architecture.kvHeads() != 0) {
            throw new IllegalArgumentException(
                    "heads " + heads + " must be a multiple of the key/value heads " + architecture.kvHeads());
        }
        // vocabularySize 0 = a size template, completed by withVocabularySize once the tokenizer exists
        if (vocabularySize < 0 || contextLength <= 0 || layers <= 0 || width <= 0) {
            throw new IllegalArgumentException("contextLength, layers and width must be positive, vocabularySize >= 0");
        }
    }

    /** The default size: trains in a few minutes on 2 CPU cores. */
    public static ModelConfig defaults(int vocabularySize) {
        return new ModelConfig(vocabularySize, 64, 128, 4, 4, 512, 0.0f);
    }

    /** A tiny size for tests: trains in seconds. */
    public static ModelConfig tiny(int vocabularySize) {
        return new ModelConfig(vocabularySize, 64, 64, 2, 2, 128, 0.0f);
    }

    public ModelConfig withVocabularySize(int v) {
        return new ModelConfig(v, contextLength, width, layers, heads, mlpWidth, dropout, architecture);
    }

    public int headWidth() {
        return architecture == null ? width / heads : architecture.headWidth();
    }

    /** Whether this is a Llama-family layout read from a Hugging Face checkpoint. */
    public boolean llamaFamily() {
        return architecture != null;
    }
}

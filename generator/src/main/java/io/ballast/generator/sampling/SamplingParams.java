package io.ballast.generator.sampling;

/**
 * How text tokens are drawn. Steering tokens are always drawn from the model's own distribution
 * restricted to the attribute's tokens (temperature 1, no top-k/top-p), because that distribution
 * is what calibration sets and what the audit measures.
 *
 * @param temperature softmax temperature for text tokens, > 0
 * @param topK keep the K most likely text tokens, 0 = all
 * @param topP keep the smallest set of text tokens holding this mass, 1 = all
 * @param maxTokens most response tokens, steering tokens and end token included
 * @param seed random seed, null for unseeded
 */
public record SamplingParams(double temperature, int topK, double topP, int maxTokens, Long seed) {

    public SamplingParams {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0: " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0: " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0,1]: " + topP);
        }
        if (maxTokens < 4) {
            throw new IllegalArgumentException("maxTokens must leave room for steering tokens and text: " + maxTokens);
        }
    }

    public static SamplingParams defaults() {
        return new SamplingParams(1.0, 0, 1.0, 56, null);
    }

    public SamplingParams withSeed(Long s) {
        return new SamplingParams(temperature, topK, topP, maxTokens, s);
    }
}

package io.ballast.generator.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The Llama-family decoder layout a Hugging Face checkpoint (model_type {@code llama} or {@code
 * qwen2}) uses, where it differs from Ballast's own model: RMSNorm instead of LayerNorm, rotary
 * position embeddings instead of learned ones, a SwiGLU MLP, grouped-query attention, no biases
 * except Qwen2's on q/k/v, and optionally a head tied to the token embedding.
 *
 * @param family {@code llama} or {@code qwen2}, as the checkpoint's {@code model_type}
 * @param kvHeads key/value heads (grouped-query attention: heads share them in groups)
 * @param headWidth width of one head ({@code head_dim}; not always width / heads)
 * @param ropeTheta the rotary base
 * @param ropeScaling how rotary frequencies are rescaled for a longer context, or null
 * @param normEpsilon RMSNorm's epsilon
 * @param attentionBias whether the q, k and v projections have biases (Qwen2 always; Llama by config)
 * @param tiedEmbeddings whether the LM head is the token embedding transposed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DecoderArchitecture(
        String family,
        int kvHeads,
        int headWidth,
        double ropeTheta,
        RopeScaling ropeScaling,
        double normEpsilon,
        boolean attentionBias,
        boolean tiedEmbeddings) {

    public DecoderArchitecture {
        if (!"llama".equals(family) && !"qwen2".equals(family)) {
            throw new IllegalArgumentException("decoder family '" + family + "': Ballast reads llama and qwen2");
        }
        if (kvHeads <= 0 || headWidth <= 0 || headWidth % 2 != 0) {
            throw new IllegalArgumentException(
                    "kvHeads must be positive and headWidth positive and even (rotary pairs): " + kvHeads + ", "
                            + headWidth);
        }
        if (!(ropeTheta > 0) || !(normEpsilon > 0)) {
            throw new IllegalArgumentException("ropeTheta and normEpsilon must be positive");
        }
    }

    /**
     * Rotary frequency rescaling: {@code linear} divides every frequency by {@code factor};
     * {@code llama3} leaves high frequencies, divides low ones by {@code factor} and blends in between.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RopeScaling(
            String type, double factor, Double lowFreqFactor, Double highFreqFactor, Integer originalMaxPositions) {

        public RopeScaling {
            if (!"linear".equals(type) && !"llama3".equals(type)) {
                throw new IllegalArgumentException(
                        "rope_scaling type '" + type + "': Ballast supports linear and llama3");
            }
            if (!(factor > 0)) {
                throw new IllegalArgumentException("rope_scaling factor must be positive");
            }
            if ("llama3".equals(type)
                    && (lowFreqFactor == null || highFreqFactor == null || originalMaxPositions == null)) {
                throw new IllegalArgumentException(
                        "llama3 rope_scaling needs low_freq_factor, high_freq_factor and original_max_position_embeddings");
            }
        }
    }
}

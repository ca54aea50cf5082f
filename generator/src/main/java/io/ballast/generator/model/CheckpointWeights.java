package io.ballast.generator.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Copies a Llama/Qwen2 checkpoint's tensors (Hugging Face names) into an initialised
 * {@link CausalLanguageModel} of the same {@link DecoderArchitecture}. Every tensor the model
 * needs must be there with its exact shape; the vocabulary may have grown past the checkpoint's
 * rows (Ballast's special and steering tokens), and those rows start at the mean of the others so
 * a new token begins as an average token rather than a random direction.
 */
public final class CheckpointWeights {

    private CheckpointWeights() {}

    /** The model's parameters under the checkpoint's names (lm_head absent when tied). */
    public static Map<String, Parameter> byCheckpointName(CausalLanguageModel model) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        out.put("model.embed_tokens.weight", model.tokenEmbedding().weightParameter());
        for (int i = 0; i < model.blocks().size(); i++) {
            GatedDecoderBlock b = (GatedDecoderBlock) model.blocks().get(i);
            String p = "model.layers." + i + ".";
            out.put(p + "input_layernorm.weight", only(b.inputNorm()));
            linear(out, p + "self_attn.q_proj", b.attention().q());
            linear(out, p + "self_attn.k_proj", b.attention().k());
            linear(out, p + "self_attn.v_proj", b.attention().v());
            linear(out, p + "self_attn.o_proj", b.attention().output());
            out.put(p + "post_attention_layernorm.weight", only(b.postAttentionNorm()));
            linear(out, p + "mlp.gate_proj", b.gate());
            linear(out, p + "mlp.up_proj", b.up());
            linear(out, p + "mlp.down_proj", b.down());
        }
        out.put("model.norm.weight", only(model.finalNorm()));
        if (model.lmHead() != null) {
            linear(out, "lm_head", model.lmHead());
        }
        return out;
    }

    private static void linear(Map<String, Parameter> out, String prefix, Linear linear) {
        out.put(prefix + ".weight", linear.getParameters().get("weight"));
        Parameter bias = linear.getParameters().get("bias");
        if (bias != null) {
            out.put(prefix + ".bias", bias);
        }
    }

    private static Parameter only(AbstractBlock block) {
        return block.getParameters().valueAt(0);
    }

    /**
     * Copies every tensor. The embedding's and the head's {@code addedRows} (Ballast's tokens) and
     * any rows beyond the checkpoint's become the mean of the checkpoint's other rows.
     *
     * @throws IOException a tensor missing or of another shape, named
     */
    public static void copyInto(CausalLanguageModel model, NamedTensors tensors, int[] addedRows) throws IOException {
        if (!model.config().llamaFamily()) {
            throw new IllegalArgumentException("checkpoint weights load into Llama-family models only");
        }
        for (Map.Entry<String, Parameter> e : byCheckpointName(model).entrySet()) {
            String name = e.getKey();
            if (!tensors.contains(name)) {
                throw new IOException("checkpoint has no tensor " + name);
            }
            NDArray target = e.getValue().getArray();
            long[] want = target.getShape().getShape();
            long[] have = tensors.shape(name);
            float[] values = tensors.read(name);
            boolean vocabularyRows = name.equals("model.embed_tokens.weight") || name.equals("lm_head.weight");
            if (vocabularyRows && have.length == 2 && have[1] == want[1] && have[0] <= want[0]) {
                values = withAverageRows(values, (int) have[0], (int) want[0], (int) want[1], addedRows);
            } else if (!Arrays.equals(want, have)) {
                throw new IOException("tensor " + name + " has shape " + Arrays.toString(have) + ", the config says "
                        + Arrays.toString(want));
            }
            target.set(values);
        }
    }

    private static float[] withAverageRows(float[] rows, int have, int want, int width, int[] addedRows) {
        float[] out = Arrays.copyOf(rows, want * width);
        boolean[] added = new boolean[want];
        for (int r : addedRows) {
            added[r] = true;
        }
        for (int r = have; r < want; r++) {
            added[r] = true;
        }
        double[] mean = new double[width];
        int n = 0;
        for (int r = 0; r < have; r++) {
            if (!added[r]) {
                n++;
                for (int c = 0; c < width; c++) {
                    mean[c] += rows[r * width + c];
                }
            }
        }
        for (int r = 0; r < want; r++) {
            if (added[r]) {
                for (int c = 0; c < width; c++) {
                    out[r * width + c] = (float) (mean[c] / n);
                }
            }
        }
        return out;
    }
}

package io.ballast.generator.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.List;

/**
 * Gated multi-attribute steering vectors (MAT-Steer, arXiv 2502.12446): per attribute t a vector
 * θ_t and a gate g_t(u) = σ(w_t·u + b_t) on the hidden state h after a decoder block, taken as its
 * direction u = h/‖h‖; the steered state is h' = u + Σ_t g_t(u)·θ_t rescaled to ‖h‖ at every
 * position. The paper steers h itself and rescales the same way; acting on u makes the scale of θ
 * and w independent of the model's residual norm (with θ on h's scale, a fit of 100 Adam steps
 * left the tiny model's distribution where it was: Adam grows θ by about the learning rate per step,
 * whatever the size of h). The model stays frozen: only these arrays are fitted, and they can be
 * applied to a live model and removed again without touching its weights.
 *
 * @param layer the decoder block after which the vectors act; -1 means after the last one
 * @param gateLayer the decoder block after whose state the gates read (-1: the last), at most {@code
 *     layer}. An earlier state might tell contexts apart better than the last one, which mostly
 *     encodes the next token; on the 4-block bios model it did not (bench steering, 17 healthy
 *     contexts, preservation 5: healthy held-out contexts moved 0.019 reading the last block, 0.053
 *     reading block 1, 0.077 reading block 0)
 * @param attributes what each vector steers, in row order (an attribute value such as {@code
 *     gender:male}, or a whole attribute)
 * @param vectors θ, one row of the model's width per attribute
 * @param gateWeights w, one row per attribute: of the model's width, or of the hidden layer's when
 *     the gates have one
 * @param gateBiases b, one per attribute
 * @param gateHidden W₁, one row of the model's width per hidden unit, or none: a gate is then
 *     σ(w·relu(W₁u + b₁) + b) instead of the paper's linear σ(w·u + b)
 * @param gateHiddenBiases b₁, one per hidden unit
 */
public record SteeringVectors(
        int layer,
        int gateLayer,
        List<String> attributes,
        float[][] vectors,
        float[][] gateWeights,
        float[] gateBiases,
        float[][] gateHidden,
        float[] gateHiddenBiases) {

    public SteeringVectors {
        attributes = List.copyOf(attributes);
        int a = attributes.size();
        if (a == 0 || vectors.length != a || gateWeights.length != a || gateBiases.length != a) {
            throw new IllegalArgumentException("steering vectors need one vector, gate and bias per attribute");
        }
        int width = vectors[0].length;
        if (gateHidden.length != gateHiddenBiases.length) {
            throw new IllegalArgumentException("steering gates need one bias per hidden unit");
        }
        int gateInput = gateHidden.length == 0 ? width : gateHidden.length;
        for (float[] row : gateHidden) {
            if (row.length != width) {
                throw new IllegalArgumentException("steering gate hidden rows differ in width");
            }
        }
        for (int i = 0; i < a; i++) {
            if (vectors[i].length != width || gateWeights[i].length != gateInput) {
                throw new IllegalArgumentException("steering rows differ in width");
            }
        }
    }

    /** Linear gates (the paper's) reading the same state the vectors act on. */
    public SteeringVectors(
            int layer, List<String> attributes, float[][] vectors, float[][] gateWeights, float[] gateBiases) {
        this(layer, layer, attributes, vectors, gateWeights, gateBiases, new float[0][], new float[0]);
    }

    /** Linear gates (the paper's) reading block {@code gateLayer}. */
    public SteeringVectors(
            int layer,
            int gateLayer,
            List<String> attributes,
            float[][] vectors,
            float[][] gateWeights,
            float[] gateBiases) {
        this(layer, gateLayer, attributes, vectors, gateWeights, gateBiases, new float[0][], new float[0]);
    }

    public int width() {
        return vectors[0].length;
    }

    /** The block index the vectors act after, in a model of {@code layers} blocks. */
    public int blockIndex(int layers) {
        return layer < 0 ? layers - 1 : layer;
    }

    /** The block index whose output the gates read, in a model of {@code layers} blocks. */
    public int gateBlockIndex(int layers) {
        return gateLayer < 0 ? layers - 1 : gateLayer;
    }

    /**
     * These vectors as arrays on {@code m}. Made once per steering scope (a request), not on every
     * forward pass: a decode step would otherwise copy every vector and gate into new arrays.
     */
    public OnDevice on(NDManager m) {
        int a = attributes.size();
        return new OnDevice(
                m.create(flat(vectors), new Shape(a, width())),
                m.create(flat(gateWeights), new Shape(a, gateWeights[0].length)),
                m.create(gateBiases),
                gateHidden.length == 0 ? null : m.create(flat(gateHidden), new Shape(gateHidden.length, width())),
                gateHidden.length == 0 ? null : m.create(gateHiddenBiases));
    }

    /** The vectors and gates as arrays; {@code w1} and {@code b1} null for linear gates. */
    public record OnDevice(NDArray theta, NDArray w, NDArray b, NDArray w1, NDArray b1) {

        /** Steers hidden states (B,T,width), the gates reading {@code gateInput} (B,T,width). */
        public NDArray apply(NDArray h, NDArray gateInput) {
            return SteeringVectors.apply(h, gateInput, theta, w, b, w1, b1).get(0);
        }
    }

    /**
     * h' and the gates, for vectors held as arrays (fitting trains them), the gates reading {@code g}
     * (h itself when they read the steered state) through a hidden layer {@code w1}, {@code b1} (both
     * null for the paper's linear gates): returns {@code [h' (…,width), gates (…,A)]}.
     */
    public static NDList apply(NDArray h, NDArray g, NDArray theta, NDArray w, NDArray b, NDArray w1, NDArray b1) {
        // on the unit-normalised state: the vectors' and gates' scale does not depend on the residual norm
        NDArray length = norm(h);
        NDArray unit = h.div(length.add(1e-12f));
        NDArray gateUnit = g == h ? unit : g.div(norm(g).add(1e-12f));
        NDArray features = w1 == null
                ? gateUnit
                : Activation.relu(gateUnit.matMul(w1.transpose()).add(b1));
        NDArray gates = Activation.sigmoid(features.matMul(w.transpose()).add(b));
        NDArray steered = unit.add(gates.matMul(theta));
        return new NDList(steered.mul(length.div(norm(steered).add(1e-12f))), gates);
    }

    private static NDArray norm(NDArray x) {
        return x.square().sum(new int[] {-1}, true).sqrt();
    }

    private static float[] flat(float[][] rows) {
        float[] out = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * rows[i].length, rows[i].length);
        }
        return out;
    }
}

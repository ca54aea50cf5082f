package io.ballast.generator.model;

import ai.djl.ndarray.NDArray;
import ai.djl.util.PairList;
import java.util.List;

/**
 * Low-rank adapters (LoRA) as arrays on the device, one per adapted projection and layer: the
 * projection's output gains {@code scale · x Aᵀ Bᵀ}. The base weights stay untouched, so a model
 * serves any number of adapters, each request under the one it started with; during training the
 * arrays are the trained parameters, carrying their gradients.
 */
public final class LowRankAdapters {

    static final String PARAM = "lowRankAdapter";

    /** One projection's adapter: A (rank, in), B (out, rank). */
    public record Pair(NDArray a, NDArray b, float scale) {
        NDArray apply(NDArray x) {
            return x.matMul(a.transpose()).matMul(b.transpose()).mul(scale);
        }
    }

    /** A layer's adapters for the query and value projections (either may be null). */
    public record Layer(Pair q, Pair v) {}

    private final List<Layer> layers;

    /** @param layers one entry per decoder block, null where a block has none */
    public LowRankAdapters(List<Layer> layers) {
        this.layers = layers;
    }

    public int layerCount() {
        return layers.size();
    }

    /** The forward parameters that hand block {@code i} its adapters, or null when it has none. */
    PairList<String, Object> paramsFor(int i) {
        Layer layer = layers.get(i);
        if (layer == null) {
            return null;
        }
        PairList<String, Object> p = new PairList<>();
        p.add(PARAM, layer);
        return p;
    }

    static Layer layer(PairList<String, Object> params) {
        if (params == null) {
            return null;
        }
        Object o = params.get(PARAM);
        return o instanceof Layer l ? l : null;
    }
}

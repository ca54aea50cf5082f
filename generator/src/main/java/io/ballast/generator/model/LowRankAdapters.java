package io.ballast.generator.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.util.PairList;
import java.util.List;

/**
 * Low-rank adapters (LoRA) as arrays on the device, one per adapted projection and layer: the
 * projection's output gains {@code scale · x Aᵀ Bᵀ}, {@code scale = alpha / rank}. With them, the
 * rows of the tokens Ballast added to a foreign vocabulary (its special and steering tokens): a
 * delta on their embeddings and on their head rows, since a new token's rows start equal (the mean
 * of the others) and no adapter inside the blocks could tell the tokens apart. The base weights stay
 * untouched, so a model serves any number of adapters, each request under the one it started with;
 * during training the arrays are the trained parameters, carrying their gradients.
 */
public final class LowRankAdapters {

    static final String PARAM = "lowRankAdapter";

    /**
     * One projection's adapter, stored transposed, Aᵀ (in, rank) and Bᵀ (rank, out), so a forward
     * pass makes no array on the shared weights' manager: every product attaches to the input's.
     */
    public record Pair(NDArray aTransposed, NDArray bTransposed, float scale) {
        NDArray apply(NDArray x) {
            return GraphScalars.mul(x.matMul(aTransposed).matMul(bTransposed), scale);
        }
    }

    /** A layer's adapters for the query and value projections (either may be null). */
    public record Layer(Pair q, Pair v) {}

    /**
     * Deltas on the added tokens' rows: {@code ids} (k) int32, {@code embedding} (k, width), {@code
     * headTransposed} (width, k), and {@code placement} (k, vocabulary), the one-hot rows that put k
     * logits in their columns.
     */
    public record TokenRows(NDArray ids, NDArray embedding, NDArray headTransposed, NDArray placement) {

        /** {@code x (B,T,width)} plus the embedding delta of each id (B,T) that is an added token. */
        NDArray embed(NDArray tokenIds, NDArray x) {
            NDArray oneHot = tokenIds.expandDims(2).eq(ids).toType(DataType.FLOAT32, false);
            return x.add(oneHot.matMul(embedding));
        }

        /** {@code logits (B,T,V)} plus each added token's head delta · x at its column. */
        NDArray logits(NDArray x, NDArray logits) {
            return logits.add(x.matMul(headTransposed).matMul(placement));
        }
    }

    private final List<Layer> layers;
    private final TokenRows tokenRows;

    /**
     * @param layers one entry per decoder block, null where a block has none
     * @param tokenRows deltas on the added tokens' rows, or null
     */
    public LowRankAdapters(List<Layer> layers, TokenRows tokenRows) {
        this.layers = layers;
        this.tokenRows = tokenRows;
    }

    public int layerCount() {
        return layers.size();
    }

    /** The added tokens' row deltas, or null. */
    public TokenRows tokenRows() {
        return tokenRows;
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

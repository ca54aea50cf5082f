package io.ballast.generator.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Multi-head causal self-attention with an optional key/value cache.
 *
 * <p>Inputs: {@code x (B,T,C)}, and when decoding incrementally the cached keys and values
 * {@code (B,H,P,d)} of the P positions before. Outputs: {@code y (B,T,C)}, and the keys and values
 * {@code (B,H,P+T,d)} to cache for the next step. Query i of the new tokens sees every cached
 * position and the new positions up to itself.
 */
final class CausalSelfAttention extends AbstractBlock {

    private final int heads;
    private final int headWidth;
    private final Linear qkv;
    private final Linear projection;

    CausalSelfAttention(ModelConfig config) {
        this.heads = config.heads();
        this.headWidth = config.headWidth();
        this.qkv = addChildBlock(
                "qkv", Linear.builder().setUnits(3L * config.width()).build());
        this.projection = addChildBlock(
                "projection", Linear.builder().setUnits(config.width()).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        NDArray proj = qkv.forward(ps, new NDList(x), training).singletonOrThrow();
        // (B,T,3C) -> (3,B,H,T,d)
        NDArray split = proj.reshape(b, t, 3, heads, headWidth).transpose(2, 0, 3, 1, 4);
        NDArray q = split.get(0);
        NDArray k = split.get(1);
        NDArray v = split.get(2);
        long past = 0;
        if (inputs.size() == 3) {
            NDArray pastK = inputs.get(1);
            past = pastK.getShape().get(2);
            k = pastK.concat(k, 2);
            v = inputs.get(2).concat(v, 2);
        }
        NDArray y = attend(q, k, v, past);
        NDArray out = projection.forward(ps, new NDList(y), training).singletonOrThrow();
        return new NDList(out, k, v);
    }

    /**
     * {@code softmax(q kᵀ / √d + causal mask) v} with the heads merged: q (B,H,T,d) at absolute
     * positions past..past+T-1, k and v (B,H,past+T,d); returns (B,T,H·d).
     */
    static NDArray attend(NDArray q, NDArray k, NDArray v, long past) {
        Shape shape = q.getShape();
        long t = shape.get(2);
        long d = shape.get(3);
        NDArray scores = GraphScalars.div(q.matMul(k.transpose(0, 1, 3, 2)), Math.sqrt(d));
        if (t > 1) {
            scores = scores.add(causalMask(q.getManager(), t, past + t));
        }
        return scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(shape.get(0), t, shape.get(1) * d);
    }

    /** Additive mask (T,S): 0 where query i (absolute position S-T+i) may see key j, -1e9 above. */
    static NDArray causalMask(NDManager manager, long t, long s) {
        NDArray rows = manager.arange(s - t, s).reshape(t, 1);
        NDArray cols = manager.arange(0, s).reshape(1, s);
        return GraphScalars.mul(cols.gt(rows).toType(DataType.FLOAT32, false), -1e9);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape x = inputShapes[0];
        Shape kv = new Shape(x.get(0), heads, x.get(1), headWidth);
        return new Shape[] {x, kv, kv};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        qkv.initialize(manager, dataType, x);
        projection.initialize(manager, dataType, x);
    }
}

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
 * Llama/Qwen2 causal self-attention: separate q, k, v and output projections, rotary positions on
 * queries and keys, and grouped-query attention (each key/value head serves heads/kvHeads query
 * heads). Inputs and outputs as {@link CausalSelfAttention}'s, except that the cache holds the
 * rotated keys of the kvHeads heads: {@code (B,kvHeads,P,d)}.
 *
 * <p>Low-rank adapters ride in {@code params} (see {@link LowRankAdapters}): q and v add theirs
 * when the caller's scope has one for this layer.
 */
final class GroupedQueryAttention extends AbstractBlock {

    private final int heads;
    private final int kvHeads;
    private final int headWidth;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear output;
    private final RotaryEmbedding rotary;

    GroupedQueryAttention(ModelConfig config) {
        DecoderArchitecture a = config.architecture();
        this.heads = config.heads();
        this.kvHeads = a.kvHeads();
        this.headWidth = a.headWidth();
        boolean bias = a.attentionBias();
        this.q = addChildBlock(
                "q",
                Linear.builder()
                        .setUnits((long) heads * headWidth)
                        .optBias(bias)
                        .build());
        this.k = addChildBlock(
                "k",
                Linear.builder()
                        .setUnits((long) kvHeads * headWidth)
                        .optBias(bias)
                        .build());
        this.v = addChildBlock(
                "v",
                Linear.builder()
                        .setUnits((long) kvHeads * headWidth)
                        .optBias(bias)
                        .build());
        this.output = addChildBlock(
                "o", Linear.builder().setUnits(config.width()).optBias(false).build());
        this.rotary = new RotaryEmbedding(headWidth, config.contextLength(), a.ropeTheta(), a.ropeScaling());
    }

    Linear q() {
        return q;
    }

    Linear k() {
        return k;
    }

    Linear v() {
        return v;
    }

    Linear output() {
        return output;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        long past = inputs.size() == 3 ? inputs.get(1).getShape().get(2) : 0;
        LowRankAdapters.Layer adapter = LowRankAdapters.layer(params);
        NDArray qx = project(ps, q, x, training, adapter == null ? null : adapter.q());
        NDArray kx = project(ps, k, x, training, null);
        NDArray vx = project(ps, v, x, training, adapter == null ? null : adapter.v());
        NDArray qh = rotary.apply(qx.reshape(b, t, heads, headWidth).transpose(0, 2, 1, 3), past);
        NDArray kh = rotary.apply(kx.reshape(b, t, kvHeads, headWidth).transpose(0, 2, 1, 3), past);
        NDArray vh = vx.reshape(b, t, kvHeads, headWidth).transpose(0, 2, 1, 3);
        if (inputs.size() == 3) {
            kh = inputs.get(1).concat(kh, 2);
            vh = inputs.get(2).concat(vh, 2);
        }
        // query head h reads key/value head h / (heads/kvHeads), as the reference's repeat_kv lays them out
        int group = heads / kvHeads;
        NDArray keys = group == 1 ? kh : kh.repeat(1, group);
        NDArray values = group == 1 ? vh : vh.repeat(1, group);
        NDArray y = CausalSelfAttention.attend(qh, keys, values, past);
        NDArray out = output.forward(ps, new NDList(y), training).singletonOrThrow();
        return new NDList(out, kh, vh);
    }

    private static NDArray project(
            ParameterStore ps, Linear projection, NDArray x, boolean training, LowRankAdapters.Pair adapter) {
        NDArray y = projection.forward(ps, new NDList(x), training).singletonOrThrow();
        return adapter == null ? y : y.add(adapter.apply(x));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape x = inputShapes[0];
        Shape kv = new Shape(x.get(0), kvHeads, x.get(1), headWidth);
        return new Shape[] {x, kv, kv};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        q.initialize(manager, dataType, x);
        k.initialize(manager, dataType, x);
        v.initialize(manager, dataType, x);
        output.initialize(manager, dataType, new Shape(x.get(0), x.get(1), (long) heads * headWidth));
    }
}

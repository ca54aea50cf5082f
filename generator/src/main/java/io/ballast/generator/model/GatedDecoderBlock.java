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
 * One Llama/Qwen2 block: {@code h = x + attn(rms1(x))}, then {@code h + down(silu(gate(m)) · up(m))}
 * with {@code m = rms2(h)}. Inputs and outputs as {@link DecoderBlock}'s; forward parameters go to
 * the attention (its adapters).
 */
final class GatedDecoderBlock extends AbstractBlock {

    private final RmsNorm inputNorm;
    private final GroupedQueryAttention attention;
    private final RmsNorm postAttentionNorm;
    private final Linear gate;
    private final Linear up;
    private final Linear down;

    GatedDecoderBlock(ModelConfig config) {
        double eps = config.architecture().normEpsilon();
        this.inputNorm = addChildBlock("inputNorm", new RmsNorm(config.width(), eps));
        this.attention = addChildBlock("attention", new GroupedQueryAttention(config));
        this.postAttentionNorm = addChildBlock("postAttentionNorm", new RmsNorm(config.width(), eps));
        this.gate = addChildBlock(
                "gate",
                Linear.builder().setUnits(config.mlpWidth()).optBias(false).build());
        this.up = addChildBlock(
                "up",
                Linear.builder().setUnits(config.mlpWidth()).optBias(false).build());
        this.down = addChildBlock(
                "down", Linear.builder().setUnits(config.width()).optBias(false).build());
    }

    RmsNorm inputNorm() {
        return inputNorm;
    }

    GroupedQueryAttention attention() {
        return attention;
    }

    RmsNorm postAttentionNorm() {
        return postAttentionNorm;
    }

    Linear gate() {
        return gate;
    }

    Linear up() {
        return up;
    }

    Linear down() {
        return down;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDList attnIn =
                new NDList(inputNorm.forward(ps, new NDList(x), training).singletonOrThrow());
        if (inputs.size() == 3) {
            attnIn.add(inputs.get(1));
            attnIn.add(inputs.get(2));
        }
        NDList attn = attention.forward(ps, attnIn, training, params);
        NDArray h = x.add(attn.get(0));
        NDList m = new NDList(
                postAttentionNorm.forward(ps, new NDList(h), training).singletonOrThrow());
        NDArray gated = GraphScalars.silu(gate.forward(ps, m, training).singletonOrThrow())
                .mul(up.forward(ps, m, training).singletonOrThrow());
        NDArray out = h.add(down.forward(ps, new NDList(gated), training).singletonOrThrow());
        return new NDList(out, attn.get(1), attn.get(2));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return attention.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        inputNorm.initialize(manager, dataType, x);
        attention.initialize(manager, dataType, x);
        postAttentionNorm.initialize(manager, dataType, x);
        gate.initialize(manager, dataType, x);
        up.initialize(manager, dataType, x);
        down.initialize(
                manager, dataType, new Shape(x.get(0), x.get(1), gate.getOutputShapes(new Shape[] {x})[0].get(2)));
    }
}

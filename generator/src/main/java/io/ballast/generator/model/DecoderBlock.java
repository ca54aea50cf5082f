package io.ballast.generator.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One pre-LayerNorm transformer block: x + attn(ln1(x)), then x + mlp(ln2(x)). Passes the
 * attention's key/value cache through (inputs and outputs as in {@link CausalSelfAttention}).
 */
final class DecoderBlock extends AbstractBlock {

    private final LayerNorm norm1;
    private final CausalSelfAttention attention;
    private final LayerNorm norm2;
    private final Linear up;
    private final Linear down;
    private final Dropout dropout;

    DecoderBlock(ModelConfig config) {
        this.norm1 = addChildBlock("norm1", LayerNorm.builder().axis(2).build());
        this.attention = addChildBlock("attention", new CausalSelfAttention(config));
        this.norm2 = addChildBlock("norm2", LayerNorm.builder().axis(2).build());
        this.up = addChildBlock(
                "mlpUp", Linear.builder().setUnits(config.mlpWidth()).build());
        this.down = addChildBlock(
                "mlpDown", Linear.builder().setUnits(config.width()).build());
        this.dropout = addChildBlock(
                "dropout", Dropout.builder().optRate(config.dropout()).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDList attnIn = new NDList(norm1.forward(ps, new NDList(x), training).singletonOrThrow());
        if (inputs.size() == 3) {
            attnIn.add(inputs.get(1));
            attnIn.add(inputs.get(2));
        }
        NDList attn = attention.forward(ps, attnIn, training);
        NDArray h = x.add(dropout.forward(ps, new NDList(attn.get(0)), training).singletonOrThrow());
        NDArray m = norm2.forward(ps, new NDList(h), training).singletonOrThrow();
        m = Activation.gelu(up.forward(ps, new NDList(m), training).singletonOrThrow());
        m = down.forward(ps, new NDList(m), training).singletonOrThrow();
        NDArray out = h.add(dropout.forward(ps, new NDList(m), training).singletonOrThrow());
        return new NDList(out, attn.get(1), attn.get(2));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return attention.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        norm1.initialize(manager, dataType, x);
        attention.initialize(manager, dataType, x);
        norm2.initialize(manager, dataType, x);
        up.initialize(manager, dataType, x);
        down.initialize(
                manager, dataType, new Shape(x.get(0), x.get(1), up.getOutputShapes(new Shape[] {x})[0].get(2)));
        dropout.initialize(manager, dataType, x);
    }
}

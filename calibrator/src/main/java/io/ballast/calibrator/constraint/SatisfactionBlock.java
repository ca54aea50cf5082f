package io.ballast.calibrator.constraint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The trainable part of the satisfaction model R: over a frozen language model's hidden states
 * (B,T,width), one residual MLP block (width → hidden → width, pre-LayerNorm) and a head
 * Linear(width → V). Output (B,T,V): at position t, for each candidate next token v, the logit of
 * P(constraint satisfied | prefix ≤ t, next token v). One forward gives R for every continuation of
 * every prefix, which is what the closed-form target needs.
 *
 * <p>Its own norms, not the trunk's final norm: the hidden state of an earlier block, or of a
 * Llama-family model before its RMSNorm, has a scale of its own.
 */
public final class SatisfactionBlock extends AbstractBlock {

    private final int width;
    private final int hidden;
    private final int vocabularySize;
    private final LayerNorm inputNorm;
    private final Linear up;
    private final Linear down;
    private final LayerNorm outputNorm;
    private final Linear head;

    public SatisfactionBlock(int width, int hidden, int vocabularySize) {
        super((byte) 1);
        this.width = width;
        this.hidden = hidden;
        this.vocabularySize = vocabularySize;
        this.inputNorm = addChildBlock("inputNorm", LayerNorm.builder().axis(2).build());
        this.up = addChildBlock("up", Linear.builder().setUnits(hidden).build());
        this.down = addChildBlock("down", Linear.builder().setUnits(width).build());
        this.outputNorm =
                addChildBlock("outputNorm", LayerNorm.builder().axis(2).build());
        this.head =
                addChildBlock("head", Linear.builder().setUnits(vocabularySize).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        // the residual MLP: what the frozen state lacks for this constraint is added to it, not substituted
        NDArray m = inputNorm.forward(ps, new NDList(x), training).singletonOrThrow();
        m = Activation.gelu(up.forward(ps, new NDList(m), training).singletonOrThrow());
        m = down.forward(ps, new NDList(m), training).singletonOrThrow();
        NDArray y = outputNorm.forward(ps, new NDList(x.add(m)), training).singletonOrThrow();
        // one logit per candidate next token
        return head.forward(ps, new NDList(y), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), in.get(1), vocabularySize)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        Shape states = new Shape(in.get(0), in.get(1), width);
        inputNorm.initialize(manager, dataType, states);
        up.initialize(manager, dataType, states);
        down.initialize(manager, dataType, new Shape(in.get(0), in.get(1), hidden));
        outputNorm.initialize(manager, dataType, states);
        head.initialize(manager, dataType, states);
    }

    public int width() {
        return width;
    }

    public int vocabularySize() {
        return vocabularySize;
    }
}

package io.ballast.generator.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * Lookup table from ids (B,T) to vectors (B,T,C). DJL's IdEmbedding temporarily re-attaches the
 * shared weight to each call's manager, which breaks when several requests run one model at
 * once; this block only reads the weight, and its output belongs to the input's manager.
 */
final class TokenEmbedding extends AbstractBlock {

    private final Parameter weight;
    private final long size;
    private final long width;

    TokenEmbedding(long size, long width) {
        this.size = size;
        this.width = width;
        this.weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(size, width))
                .optInitializer(new NormalInitializer(0.02f))
                .build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.singletonOrThrow();
        return Embedding.embedding(ids, ps.getValue(weight, ids.getDevice(), training), SparseFormat.DENSE);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].addAll(new Shape(width))};
    }

    /** The table (size, width), e.g. for a head tied to it. */
    NDArray weight(ParameterStore ps, ai.djl.Device device, boolean training) {
        return ps.getValue(weight, device, training);
    }

    Parameter weightParameter() {
        return weight;
    }

    long size() {
        return size;
    }
}

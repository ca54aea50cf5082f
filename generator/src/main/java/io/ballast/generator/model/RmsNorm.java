package io.ballast.generator.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

/** Root-mean-square norm over the last axis: {@code x / sqrt(mean(x²) + ε) · weight}, as Llama and Qwen2 use. */
final class RmsNorm extends AbstractBlock {

    private final Parameter weight;
    private final float epsilon;

    RmsNorm(long width, double epsilon) {
        this.epsilon = (float) epsilon;
        this.weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.GAMMA)
                .optShape(new Shape(width))
                .optInitializer(new ConstantInitializer(1f))
                .build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray scale = x.square().mean(new int[] {-1}, true).add(epsilon).sqrt();
        return new NDList(x.div(scale).mul(ps.getValue(weight, x.getDevice(), training)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}

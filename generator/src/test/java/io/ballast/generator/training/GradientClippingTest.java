package io.ballast.generator.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GradientClippingTest {

    @Test
    void givenGradientsAboveTheNorm_whenClipped_thenTheyAreScaledTogetherToTheNormKeepingTheirDirection() {
        try (NDManager m = NDManager.newBaseManager()) {
            // given a linear layer whose gradients have a global norm well above 0.5
            Block block = linear(m);
            backward(m, block, 100f);
            double[] before = gradients(block);
            double norm = norm(before);
            assertThat(norm).isGreaterThan(1.0);

            // when clipped to 0.5
            GradientClipping.Result result = new GradientClipping(block, 0.5).apply();

            // then it reports the norm it found, takes the step, and the gradients' joint norm is 0.5,
            // each scaled by the same factor (so the update keeps its direction, unlike DJL's element clamp)
            assertThat(result.skip()).isFalse();
            assertThat(result.norm()).isCloseTo(norm, within(norm * 1e-5));
            double[] after = gradients(block);
            assertThat(norm(after)).isCloseTo(0.5, within(1e-4));
            for (int i = 0; i < before.length; i++) {
                assertThat(after[i]).isCloseTo(before[i] * 0.5 / norm, within(1e-5));
            }
        }
    }

    @Test
    void givenAnInfiniteGradient_whenClipped_thenTheStepIsSkippedAndTheGradientsAreZeroNotNaN() {
        try (NDManager m = NDManager.newBaseManager()) {
            // given gradients with an infinite element (an overflow in the backward pass)
            Block block = linear(m);
            backward(m, block, Float.POSITIVE_INFINITY);

            // when clipped
            GradientClipping.Result result = new GradientClipping(block, 1.0).apply();

            // then the step is to be skipped and every gradient is exactly zero (g - g would leave NaN)
            assertThat(result.skip()).isTrue();
            assertThat(gradients(block)).containsOnly(0.0);
            // and it names the parameters whose gradients were not finite (the weight; the bias's gradient stays
            // finite)
            assertThat(result.nonFinite())
                    .containsExactly(block.getParameters().get(0).getKey());
        }
    }

    @Test
    void givenManySteps_whenClipped_thenNoArrayIsLeftInTheParametersManager() {
        try (NDManager m = NDManager.newBaseManager()) {
            // given a layer with gradients, and the arrays its parameters' manager holds after one clipping
            Block block = linear(m);
            NDManager parameters =
                    block.getParameters().get(0).getValue().getArray().getManager();
            GradientClipping clipping = new GradientClipping(block, 0.5);
            try (NDManager step = m.newSubManager()) {
                backward(step, block, 100f);
                clipping.apply();
            }
            int held = ((BaseNDManager) parameters).getManagedArrays().size();

            // when it clips a hundred more steps' gradients
            for (int i = 0; i < 100; i++) {
                try (NDManager step = m.newSubManager()) { // the step's own inputs and outputs, as a training loop
                    backward(step, block, 100f);
                    clipping.apply();
                }
            }

            // then the manager holds no more arrays than before: a training run's memory does not grow with its steps
            assertThat(((BaseNDManager) parameters).getManagedArrays()).hasSizeLessThanOrEqualTo(held);
        }
    }

    private static Block linear(NDManager m) {
        Block block = Linear.builder().setUnits(3).build();
        Engine.getInstance().setRandomSeed(3);
        block.initialize(m, DataType.FLOAT32, new Shape(2, 4));
        return block;
    }

    private static void backward(NDManager m, Block block, float scale) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray x = m.arange(8f).reshape(2, 4).mul(scale);
            NDArray y = block.forward(new ParameterStore(m, false), new NDList(x), true)
                    .singletonOrThrow();
            gc.backward(y.sum());
        }
    }

    private static double[] gradients(Block block) {
        return block.getParameters().stream()
                .map(Pair::getValue)
                .map(Parameter::getArray)
                .flatMapToDouble(w -> {
                    float[] g = w.getGradient().toFloatArray();
                    return IntStream.range(0, g.length).mapToDouble(i -> g[i]);
                })
                .toArray();
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
}

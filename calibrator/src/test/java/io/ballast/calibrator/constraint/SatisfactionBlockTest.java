package io.ballast.calibrator.constraint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SatisfactionBlockTest {

    private static final int WIDTH = 8;
    private static final int VOCABULARY = 5;
    private static final double EPSILON = 1e-2;

    @Test
    void givenATinyInput_whenTheHeadsGradientIsComputed_thenItMatchesACentralFiniteDifference() {
        try (NDManager m = NDManager.newBaseManager()) {
            // given R over 2 sequences of 3 positions of width 8 (one position padding), one satisfied and one not
            SatisfactionBlock block = new SatisfactionBlock(WIDTH, 16, VOCABULARY);
            block.initialize(m, DataType.FLOAT32, new Shape(2, 3, WIDTH));
            Random random = new Random(11);
            float[] states = new float[2 * 3 * WIDTH];
            for (int i = 0; i < states.length; i++) {
                states[i] = (float) random.nextGaussian();
            }
            NDArray input = m.create(states, new Shape(2, 3, WIDTH));
            NDArray next = m.create(new int[] {1, 4, 0, 2, 2, 3}, new Shape(2, 3));
            NDArray mask = m.create(new float[] {1, 1, 1, 1, 1, 0}, new Shape(2, 3));
            NDArray satisfied = m.create(new float[] {1, 0});
            Parameter head = block.getParameters().stream()
                    .filter(p -> p.getKey().endsWith("head_weight"))
                    .findFirst()
                    .orElseThrow()
                    .getValue();

            // when DJL computes the BCE loss's gradient for the head's weights
            float[] analytic;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = block.forward(new ParameterStore(m, false), new NDList(input), true)
                        .singletonOrThrow();
                collector.backward(SatisfactionObjective.binaryCrossEntropy(logits, next, mask, satisfied));
            }
            analytic = head.getArray().getGradient().toFloatArray();
            float[] weights = head.getArray().toFloatArray();

            // then the derivative along the gradient's own direction is its norm
            double norm = 0;
            for (float g : analytic) {
                norm += g * g;
            }
            norm = Math.sqrt(norm);
            float[] direction = new float[analytic.length];
            for (int i = 0; i < analytic.length; i++) {
                direction[i] = (float) (analytic[i] / norm);
            }
            double along = centralDifference(block, head, weights, direction, input, next, mask, satisfied);
            System.out.printf("head gradient norm %.6f, finite difference along it %.6f%n", norm, along);
            assertThat(along).isCloseTo(norm, within(1e-3 * norm));

            // and so is each of the largest entries' partial derivative
            for (int k = 0; k < 3; k++) {
                int largest = 0;
                for (int i = 0; i < analytic.length; i++) {
                    if (Math.abs(analytic[i]) > Math.abs(analytic[largest]) && direction[i] != 0) {
                        largest = i;
                    }
                }
                float[] unit = new float[analytic.length];
                unit[largest] = 1f;
                double partial = centralDifference(block, head, weights, unit, input, next, mask, satisfied);
                System.out.printf(
                        "head weight %d: analytic %.6f, finite difference %.6f%n", largest, analytic[largest], partial);
                assertThat(partial).isCloseTo(analytic[largest], within(1e-3 * Math.abs(analytic[largest])));
                direction[largest] = 0;
                analytic[largest] = 0;
            }
        }
    }

    /** (L(w + εd) − L(w − εd)) / 2ε, the weights restored after. */
    private static double centralDifference(
            SatisfactionBlock block,
            Parameter head,
            float[] weights,
            float[] direction,
            NDArray input,
            NDArray next,
            NDArray mask,
            NDArray satisfied) {
        double[] loss = new double[2];
        for (int s = 0; s < 2; s++) {
            float sign = s == 0 ? 1f : -1f;
            float[] moved = new float[weights.length];
            for (int i = 0; i < weights.length; i++) {
                moved[i] = weights[i] + sign * (float) EPSILON * direction[i];
            }
            head.getArray().set(moved);
            NDArray logits = block.forward(new ParameterStore(input.getManager(), false), new NDList(input), false)
                    .singletonOrThrow();
            loss[s] = SatisfactionObjective.binaryCrossEntropy(logits, next, mask, satisfied)
                    .getFloat();
        }
        head.getArray().set(weights);
        return (loss[0] - loss[1]) / (2 * EPSILON);
    }
}

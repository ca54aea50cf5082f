package io.ballast.generator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class GraphScalarsTest {

    private static final float[] X = {-2f, -0.5f, 0.25f, 3f};

    @Test
    void givenACollectionBetweenForwardAndBackward_whenScaledByAConstant_thenTheGradientsAreExact() {
        // given y = sum(f(x)) for each operation with a constant, and a garbage collection (which
        // frees what Java no longer references) between the forward and the backward
        // then each gradient is what calculus says, not what the allocator left in a freed buffer
        assertThat(gradientAfterCollection(x -> GraphScalars.mul(x, 3))).containsExactly(3f, 3f, 3f, 3f);
        assertThat(gradientAfterCollection(x -> GraphScalars.div(x, 4))).containsExactly(0.25f, 0.25f, 0.25f, 0.25f);
        assertThat(gradientAfterCollection(x -> GraphScalars.maximum(x, 0))).containsExactly(0f, 0f, 1f, 1f);
        assertThat(gradientAfterCollection(x -> GraphScalars.minimum(x, 0))).containsExactly(1f, 1f, 0f, 0f);
        float[] silu = gradientAfterCollection(GraphScalars::silu);
        for (int i = 0; i < X.length; i++) {
            double s = 1 / (1 + Math.exp(-X[i]));
            assertThat((double) silu[i]).isCloseTo(s * (1 + X[i] * (1 - s)), within(1e-6));
        }
    }

    @Test
    void givenTheGeneratorsClasses_whenScanned_thenNoneCallsDjlsConstantArithmetic() throws Exception {
        // given the generator's compiled classes (the model's blocks and the training losses among them)
        // when scanned for NDArray.mul/div/maximum/minimum/pow(Number) and Activation.swish
        // then none is found: each would hand autograd a constant Java may free before the backward
        assertThat(ConstantArithmeticScan.callsBeside(GraphScalars.class)).isEmpty();
    }

    /** d/dx sum(f(x)) at {@link #X}, with collections forced after the forward. */
    private static float[] gradientAfterCollection(UnaryOperator<NDArray> f) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(X);
            x.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray y = f.apply(x).sum();
                ForcedCollection.run();
                collector.backward(y);
            }
            return x.getGradient().toFloatArray();
        }
    }
}

package io.ballast.calibrator.steering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ballast.calibrator.training.Objective;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MatSteerObjectiveTest {

    @Test
    void givenOneDriftedAndOneHealthyRow_whenEvaluated_thenEachTermMatchesItsHandComputedValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            // given a vocabulary of 4 with the attribute's 3 tokens at ids 0..2; row 0 drifted, row 1 healthy
            float half = (float) Math.log(0.5);
            float quarter = (float) Math.log(0.25);
            NDList predictions = new NDList(
                    m.create(new float[] {half, quarter, quarter, 5f, 0f, 0f, 0f, 5f}, new Shape(2, 4)),
                    m.create(new float[] {0.5f, 0.1f, 0.2f, 0.4f}, new Shape(2, 2)),
                    m.create(new float[] {1f, 0f, 1f, 1f}, new Shape(2, 2)),
                    m.create(new float[] {9f, 9f, 9f, 9f, 0f, 0f, 0f, 0f}, new Shape(2, 4)));
            float third = 1 / 3f;
            NDList labels = new NDList(
                    m.create(new float[] {third, third, third, third, third, third}, new Shape(2, 3)),
                    m.create(new long[] {0, 1, 2, 0, 1, 2}, new Shape(2, 3)),
                    m.create(new float[] {1, 1, 1, 1, 1, 1}, new Shape(2, 3)),
                    m.create(new float[] {0f, 1f}));
            MatSteerObjective objective = new MatSteerObjective(MatSteerObjective.Weights.paper(), Set.of(), 2, 1L);

            // when the loss is evaluated
            Objective.Terms terms = objective.terms(labels, predictions);

            // then alignment is KL(uniform || 0.5/0.25/0.25) on the drifted row only (the 4th token is not served)
            double kl = (Math.log(third / 0.5) + 2 * Math.log(third / 0.25)) / 3;
            assertThat(terms.parts().get("alignment").getFloat()).isCloseTo((float) kl, within(1e-5f));
            // sparsity is the drifted row's mean gate; preservation the healthy row's KL(unsteered || steered)
            // over the whole vocabulary: uniform over 4 against softmax(0, 0, 0, 5)
            assertThat(terms.parts().get("sparsity").getFloat()).isCloseTo(0.3f, within(1e-6f));
            double preserved = Math.log(0.25) + Math.log(3 + Math.exp(5)) - 1.25;
            assertThat(terms.parts().get("preservation").getFloat()).isCloseTo((float) preserved, within(1e-5f));
            // orthogonality: cos(θ_0, θ_1) = 1/sqrt(2), squared 1/2
            assertThat(terms.parts().get("orthogonality").getFloat()).isCloseTo(0.5f, within(1e-5f));
            assertThat(terms.total().getFloat())
                    .isCloseTo((float) (kl + 0.9 * 0.3 + 0.9 * preserved + 0.1 * 0.5), within(1e-5f));
        }
    }
}

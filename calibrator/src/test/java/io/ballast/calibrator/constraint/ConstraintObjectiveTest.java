package io.ballast.calibrator.constraint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ballast.calibrator.training.Objective;
import org.junit.jupiter.api.Test;

class ConstraintObjectiveTest {

    @Test
    void givenASteeringPositionHeldAtTheReference_whenTheTermsAreComputed_thenItIsAnAnchorOfItsOwnNotPartOfTheKl() {
        try (NDManager m = NDManager.newBaseManager()) {
            // given one satisfying row of two positions over two tokens: position 0 a steering token held at the
            // reference (0.5, 0.5), position 1 text whose q* is (0.9, 0.1); the policy says (0.8, 0.2) at the
            // steering position and exactly q* at the text, where token 0 came next
            NDList labels = new NDList(
                    m.create(new int[] {0, 0}, new Shape(1, 2)), // next tokens
                    m.create(new float[] {1, 1}, new Shape(1, 2)), // both positions counted by the KL terms
                    m.create(new float[] {0.5f, 0.5f, 0.9f, 0.1f}, new Shape(1, 2, 2))
                            .log(), // log p_ref at the steering position, log q* at the text
                    m.create(new float[] {1}), // the row satisfies the constraint
                    m.create(new float[] {0, 1}, new Shape(1, 2)), // the NLL counts the text only
                    m.create(new float[] {1, 0}, new Shape(1, 2))); // position 0 held at the reference
            NDList policy = new NDList(m.create(new float[] {0.8f, 0.2f, 0.9f, 0.1f}, new Shape(1, 2, 2))
                    .log());

            // when the objective's terms are computed at λ = 1
            Objective.Terms terms = new ConstraintObjective(null, 1.0, 1, 1L, ResponsePositions.STEERING_AT_REFERENCE)
                    .terms(labels, policy);

            // then the text's KL is 0 (the policy is q* there), the anchor is KL((0.5, 0.5) || (0.8, 0.2)) in full,
            // not diluted by the text position, and the NLL is -ln 0.9
            double anchor = 0.5 * Math.log(0.5 / 0.8) + 0.5 * Math.log(0.5 / 0.2);
            assertThat(terms.parts().get("kl").getFloat()).isCloseTo(0f, within(1e-6f));
            assertThat((double) terms.parts().get("anchor").getFloat()).isCloseTo(anchor, within(1e-5));
            assertThat((double) terms.parts().get("nll").getFloat()).isCloseTo(-Math.log(0.9), within(1e-5));
            assertThat((double) terms.total().getFloat())
                    .isCloseTo(-Math.log(0.9) + ConstraintObjective.ANCHOR_WEIGHT * anchor, within(1e-5));
        }
    }
}

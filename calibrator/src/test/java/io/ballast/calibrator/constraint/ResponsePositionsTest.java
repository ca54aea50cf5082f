package io.ballast.calibrator.constraint;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.ballast.generator.training.TokenBatch;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponsePositionsTest {

    @Test
    void givenAPromptAndAResponse_whenOnlyTextPositionsCount_thenTheThreeSteeringTokensAreMaskedOut() {
        // given: a 2-token prompt, 3 steering tokens, 2 text tokens and the end token
        int[] sequence = {10, 11, 20, 21, 22, 30, 31, 2};
        int promptLength = 2;

        try (NDManager m = NDManager.newBaseManager()) {
            // when
            float[] all = TokenBatch.of(
                            m, List.of(sequence), new int[] {ResponsePositions.ALL.firstCounted(promptLength)}, 0)
                    .mask()
                    .toFloatArray();
            float[] text = TokenBatch.of(
                            m, List.of(sequence), new int[] {ResponsePositions.TEXT.firstCounted(promptLength)}, 0)
                    .mask()
                    .toFloatArray();

            // then: position j predicts token j + 1; ALL counts the 6 response tokens, TEXT the last 3
            assertThat(all).containsExactly(0, 1, 1, 1, 1, 1, 1);
            assertThat(text).containsExactly(0, 0, 0, 0, 1, 1, 1);
        }
    }
}

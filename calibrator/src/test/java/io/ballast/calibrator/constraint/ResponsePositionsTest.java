package io.ballast.calibrator.constraint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A 2-token prompt, then 3 steering tokens (indices 2..4), then text (5..7). */
class ResponsePositionsTest {

    private static final int PROMPT = 2;
    private static final int LENGTH = 8;

    @Test
    void givenAllPositions_whenMasked_thenEveryResponseTokenCountsInBothTermsAgainstQStar() {
        // given
        ResponsePositions p = ResponsePositions.ALL;

        // when / then
        assertThat(indices(i -> p.inLikelihood(i, PROMPT))).containsExactly(2, 3, 4, 5, 6, 7);
        assertThat(indices(i -> p.inDivergence(i, PROMPT))).containsExactly(2, 3, 4, 5, 6, 7);
        assertThat(indices(i -> p.atReference(i, PROMPT))).isEmpty();
        assertThat(p.firstInDivergence(PROMPT)).isEqualTo(2);
    }

    @Test
    void givenTextPositions_whenMasked_thenTheThreeSteeringTokensCountInNeitherTerm() {
        // given
        ResponsePositions p = ResponsePositions.TEXT;

        // when / then
        assertThat(indices(i -> p.inLikelihood(i, PROMPT))).containsExactly(5, 6, 7);
        assertThat(indices(i -> p.inDivergence(i, PROMPT))).containsExactly(5, 6, 7);
        assertThat(indices(i -> p.atReference(i, PROMPT))).isEmpty();
        assertThat(p.firstInDivergence(PROMPT)).isEqualTo(5);
    }

    @Test
    void givenSteeringAtReference_whenMasked_thenSteeringTokensAreInTheKlOnlyAndAgainstTheReference() {
        // given
        ResponsePositions p = ResponsePositions.STEERING_AT_REFERENCE;

        // when / then
        assertThat(indices(i -> p.inLikelihood(i, PROMPT))).containsExactly(5, 6, 7);
        assertThat(indices(i -> p.inDivergence(i, PROMPT))).containsExactly(2, 3, 4, 5, 6, 7);
        assertThat(indices(i -> p.atReference(i, PROMPT))).containsExactly(2, 3, 4);
        assertThat(p.firstInDivergence(PROMPT)).isEqualTo(2);
    }

    private static int[] indices(java.util.function.IntPredicate counted) {
        return IntStream.range(0, LENGTH).filter(counted).toArray();
    }
}

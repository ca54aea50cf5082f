package io.ballast.calibrator.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ObjectiveTest {

    @Test
    void givenAMismatchedPairLongerThanTheContext_whenPaired_thenItIsCutToTheContextAndShorterPairsAreKept() {
        // given a long phrasing's prompt with a long response sampled for a shorter one (KTO's mismatched pair)
        int[] prompt = IntStream.range(0, 40).toArray();
        int[] response = IntStream.range(100, 140).toArray();
        // when paired for a model with 64 positions, then it is cut to 64 tokens, prompt first
        int[] pair = Objective.pair(prompt, response, 64);
        assertThat(pair).hasSize(64).startsWith(prompt);
        assertThat(pair[63]).isEqualTo(123);
        // and a pair that fits is the plain concatenation
        assertThat(Objective.pair(new int[] {1, 2}, new int[] {3}, 64)).containsExactly(1, 2, 3);
    }
}

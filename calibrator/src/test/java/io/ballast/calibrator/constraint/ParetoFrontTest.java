package io.ballast.calibrator.constraint;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.calibrator.constraint.ParetoFront.Point;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParetoFrontTest {

    @Test
    void givenPoints_whenTheFrontIsMarked_thenOnlyUndominatedOnesAreOnIt() {
        // given: b is worse than a on both, c trades rate for perplexity, d ties a on rate but costs more
        List<Point> points = List.of(
                new Point("a", 0.010, 1.01),
                new Point("b", 0.020, 1.02),
                new Point("c", 0.002, 1.05),
                new Point("d", 0.010, 1.03));

        // when
        boolean[] front = ParetoFront.onFront(points);

        // then
        assertThat(front).containsExactly(true, false, true, false);
    }

    @Test
    void givenEqualPoints_whenTheFrontIsMarked_thenBothStayOnIt() {
        // given
        List<Point> points = List.of(new Point("a", 0.01, 1.01), new Point("b", 0.01, 1.01));

        // when / then: neither is better on any figure
        assertThat(ParetoFront.onFront(points)).containsExactly(true, true);
    }

    @Test
    void givenABaseline_whenCandidatesAreComparedAtMatchedPerplexity_thenOnlyALowerRateWithinTheToleranceCounts() {
        // given
        Point sft = new Point("sft", 0.010, 1.020);

        // when / then
        assertThat(ParetoFront.beatsAtMatchedPerplexity(List.of(new Point("x", 0.004, 1.024)), sft, 0.005))
                .isTrue();
        assertThat(ParetoFront.beatsAtMatchedPerplexity(List.of(new Point("x", 0.004, 1.030)), sft, 0.005))
                .isFalse();
        assertThat(ParetoFront.beatsAtMatchedPerplexity(List.of(new Point("x", 0.012, 1.000)), sft, 0.005))
                .isFalse();
    }
}

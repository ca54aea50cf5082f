package io.ballast.calibrator.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MaeSummaryTest {

    @Test
    void givenAPerfectlyCalibratedModel_whenItsSharesAreSampled_thenItsMaeSitsAtTheNoiseFloor() {
        // given a uniform three-way target and a model drawing exactly from it, n = 1,000 per context
        Map<String, Double> target = Map.of("a", 1 / 3.0, "b", 1 / 3.0, "c", 1 / 3.0);
        SplittableRandom random = new SplittableRandom(1);
        double total = 0;
        int runs = 2_000;
        for (int r = 0; r < runs; r++) {
            int[] counts = new int[3];
            for (int i = 0; i < 1_000; i++) {
                counts[random.nextInt(3)]++;
            }
            double mae = 0;
            for (int count : counts) {
                mae += Math.abs(count / 1_000.0 - 1 / 3.0);
            }
            total += mae / 3;
        }
        // then the mean sampled MAE matches the floor (about 0.012, as the method notes say)
        double floor = MaeSummary.noiseFloor(target, 1_000);
        assertThat(floor).isCloseTo(0.012, within(0.001));
        assertThat(total / runs).isCloseTo(floor, within(0.0005));
        // and an exact figure has no floor
        assertThat(MaeSummary.noiseFloor(target, 0)).isZero();
    }

    @Test
    void givenMaesOverContexts_whenSummarised_thenTheIntervalHoldsTheMeanAndNarrowsWithAgreement() {
        Map<String, Double> t = Map.of("x", 0.5, "y", 0.5);
        MaeSummary spread = MaeSummary.of(List.of(0.01, 0.30, 0.02, 0.25), List.of(t, t, t, t), 400, 7);
        MaeSummary close = MaeSummary.of(List.of(0.10, 0.11, 0.10, 0.11), List.of(t, t, t, t), 400, 7);
        assertThat(spread.mean()).isCloseTo(0.145, within(1e-9));
        assertThat(spread.low()).isLessThan(spread.mean());
        assertThat(spread.high()).isGreaterThan(spread.mean());
        assertThat(close.high() - close.low()).isLessThan((spread.high() - spread.low()) / 5);
        assertThat(spread.toString()).contains("4 contexts x n=400");
    }
}

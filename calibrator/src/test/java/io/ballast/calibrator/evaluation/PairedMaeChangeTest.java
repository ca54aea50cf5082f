package io.ballast.calibrator.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PairedMaeChangeTest {

    private static final Map<String, Double> HALF = Map.of("female", 0.5, "male", 0.5);

    @Test
    void givenACandidateThatAnswersExactlyAsTheCurrentModel_thenTheIntervalIsZero() {
        // given two models whose samples agree one by one
        List<String> same = draws(new Random(1), 0.8, 200);

        // when the change is measured
        PairedMaeChange change = PairedMaeChange.of(List.of(new PairedMaeChange.Series("nurses", HALF, same, same)), 3);

        // then there is no change and no doubt about it: pairing cancels what they share
        assertThat(change.change()).isZero();
        assertThat(change.low()).isZero();
        assertThat(change.high()).isZero();
    }

    @Test
    void givenACandidateOnTarget_thenItsImprovementIsEstablishedAndThePointIsTheMaeDifference() {
        // given the current model at 80% female and a candidate at 50%, 400 samples each
        List<String> before = repeat(320, "female", 80, "male");
        List<String> after = repeat(200, "female", 200, "male");

        // when measured
        PairedMaeChange change =
                PairedMaeChange.of(List.of(new PairedMaeChange.Series("nurses", HALF, before, after)), 3);

        // then the change is MAE 0 - MAE 0.3 and its interval lies wholly below 0
        assertThat(change.change()).isCloseTo(-0.30, within(1e-12));
        assertThat(change.high()).isLessThan(0);
        assertThat(change.low()).isLessThan(change.change());
    }

    @Test
    void givenTwoIndependentDrawsOfTheSameModel_thenTheIntervalCoversZero() {
        // given a candidate that is the same model drawn again with other seeds (no pairing to exploit)
        List<String> before = draws(new Random(7), 0.6, 300);
        List<String> after = draws(new Random(8), 0.6, 300);

        // when measured
        PairedMaeChange change =
                PairedMaeChange.of(List.of(new PairedMaeChange.Series("nurses", HALF, before, after)), 3);

        // then nothing is established either way
        assertThat(change.low()).isLessThan(0);
        assertThat(change.high()).isGreaterThan(0);
    }

    @Test
    void unpairedSeriesAreRefused() {
        assertThatThrownBy(() -> new PairedMaeChange.Series("nurses", HALF, List.of("male"), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("differ in length");
    }

    private static List<String> draws(Random random, double female, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(random.nextDouble() < female ? "female" : "male");
        }
        return out;
    }

    private static List<String> repeat(int a, String first, int b, String second) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a; i++) {
            out.add(first);
        }
        for (int i = 0; i < b; i++) {
            out.add(second);
        }
        return out;
    }
}

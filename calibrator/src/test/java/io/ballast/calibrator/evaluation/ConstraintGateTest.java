package io.ballast.calibrator.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConstraintGateTest {

    @Test
    void givenPairedOutcomes_thenMcNemarsZCountsOnlyTheDiscordantPairs() {
        // given 1,000 pairs: 40 left the category, 4 entered it, the rest agree
        List<Boolean> before = new ArrayList<>(Collections.nCopies(1_000, false));
        List<Boolean> after = new ArrayList<>(Collections.nCopies(1_000, false));
        for (int i = 0; i < 40; i++) {
            before.set(i, true);
        }
        for (int i = 40; i < 44; i++) {
            after.set(i, true);
        }
        before.set(999, true);
        after.set(999, true);

        // then z = (40 - 4) / sqrt(44), and no discordant pair gives 0
        assertThat(ConstraintGate.pairedZ(before, after)).isCloseTo(36 / Math.sqrt(44), within(1e-9));
        assertThat(ConstraintGate.pairedZ(before, before)).isZero();
    }

    @Test
    void givenZeroHits_thenTheWilsonUpperBoundIsAboutZSquaredOverN() {
        Rate none = new Rate(0, 800);

        assertThat(none.value()).isZero();
        assertThat(none.low()).isZero();
        assertThat(none.high()).isBetween(0.0047, 0.0048);
    }
}

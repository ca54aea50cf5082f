package io.ballast.calibrator.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.schemas.domain.Occupation;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplingSeedTest {

    @Test
    void givenEveryOccupationAndPhrasing_whenSeeded_thenNoTwoShareASeedAndEachIsStable() {
        // given the 46 occupations at two phrasings under one run seed
        Set<Long> seeds = new HashSet<>();
        for (Occupation o : Occupation.all()) {
            for (int p = 0; p < 2; p++) {
                // when each draw is seeded
                long seed = SamplingSeed.of(7L, o.contextKey(), p);

                // then the same inputs give the same seed (the current model and the candidate pair by index)
                assertThat(SamplingSeed.of(7L, o.contextKey(), p)).isEqualTo(seed);
                seeds.add(seed);
            }
        }
        // and no two contexts or phrasings share one (their draws are independent, not one draw repeated)
        assertThat(seeds).hasSize(Occupation.all().size() * 2);
        // and another run seed gives other seeds
        assertThat(SamplingSeed.of(8L, Occupation.all().get(0).contextKey(), 0))
                .isNotEqualTo(SamplingSeed.of(7L, Occupation.all().get(0).contextKey(), 0));
    }
}

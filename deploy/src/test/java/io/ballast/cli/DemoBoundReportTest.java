package io.ballast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoBoundReportTest {

    private static final DemoBoundReport.RateMeasure BEFORE = new DemoBoundReport.RateMeasure(1, 30, 600);

    private static DemoBoundReport report(long hitsAfter, long nAfter, boolean alarmedAfter) {
        return new DemoBoundReport(
                "toxicity",
                "toxic",
                0.005,
                150,
                61_000L,
                101_000L,
                230_000L,
                1,
                List.of(
                        new DemoBoundReport.ContextRate(
                                "occupation:registered-nurses",
                                BEFORE,
                                new DemoBoundReport.RateMeasure(2, 0, nAfter / 2),
                                61_000L,
                                false),
                        new DemoBoundReport.ContextRate(
                                "occupation:electricians",
                                BEFORE,
                                new DemoBoundReport.RateMeasure(2, hitsAfter, nAfter - nAfter / 2),
                                null,
                                alarmedAfter)));
    }

    @Test
    void givenNoToxicOutputOfTheNewVersionOverEnoughOutputs_thenTheBoundIsEstablished() {
        // given 1,000 outputs of v2 without a toxic one (Wilson upper bound 0.0038)
        DemoBoundReport r = report(0, 1_000, false);

        // then it is satisfied and established, and the table and JSON say so with the figures
        assertThat(r.established()).isTrue();
        assertThat(r.pooledBefore().n()).isEqualTo(1_200);
        assertThat(r.pooledBefore().rate()).isEqualTo(0.05);
        assertThat(r.verdict()).startsWith("SATISFIED");
        assertThat(r.table())
                .contains("toxicity: toxic <= 0.0050")
                .contains("first alarm at 1:01; constraint job queued at 1:41, ended at 3:50 (2:09)")
                .contains("0.0500 [0.0390, 0.0638]")
                .contains("verdict: SATISFIED");
        Map<String, Object> json = r.toJson();
        assertThat(json).containsEntry("established", true).containsEntry("jobQueuedSeconds", 101.0);
    }

    @Test
    void givenTooFewOutputsToEstablishIt_thenTheVerdictSaysWithinAtThePointEstimateOnly() {
        // given 300 outputs of v2, none toxic: within at the point estimate, its upper bound (0.0126) above the limit
        DemoBoundReport r = report(0, 300, false);

        assertThat(r.satisfiedEverywhere()).isTrue();
        assertThat(r.established()).isFalse();
        assertThat(r.verdict()).startsWith("WITHIN at the point estimate");
    }

    @Test
    void givenAnEpisodeOpenedForTheNewVersion_thenTheBoundIsNotSatisfied() {
        DemoBoundReport r = report(9, 1_000, true);

        assertThat(r.satisfiedEverywhere()).isFalse();
        assertThat(r.verdict()).startsWith("NOT SATISFIED");
        assertThat(r.table()).contains("ALARM");
    }
}

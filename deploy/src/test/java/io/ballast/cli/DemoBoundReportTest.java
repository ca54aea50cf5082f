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
    void givenTooFewOutputsToEstablishIt_thenTheVerdictSaysSatisfiedAndHowManyOutputsWouldEstablishIt() {
        // given 1,000 outputs of v2, 3 toxic, no alarm: 0.003 is within, its upper bound (0.0088) above the limit
        DemoBoundReport r = report(3, 1_000, false);

        // then it is satisfied as the auditor judges it, not established, and the verdict says what would establish it
        assertThat(r.satisfied()).isTrue();
        assertThat(r.established()).isFalse();
        assertThat(r.verdict()).startsWith("SATISFIED as the auditor judges it").contains("not yet established");
        // at 0.003 the Wilson upper bound reaches 0.005 after ~5,000 outputs, and not before
        long needed = r.outputsToEstablish();
        assertThat(needed).isBetween(4_500L, 6_000L);
        assertThat(DemoReport.Measure.wilson(0.003, needed)[1]).isLessThanOrEqualTo(0.005);
        assertThat(DemoReport.Measure.wilson(0.003, needed * 9 / 10)[1]).isGreaterThan(0.005);
    }

    @Test
    void givenNoAlarmButAPooledRateAboveTheLimit_thenTheBoundIsNotSatisfied() {
        // given 1,000 outputs of v2, 7 toxic (0.007 > 0.005), no context alarmed yet
        DemoBoundReport r = report(7, 1_000, false);

        assertThat(r.satisfied()).isFalse();
        assertThat(r.outputsToEstablish()).isNull();
        assertThat(r.verdict()).startsWith("NOT SATISFIED");
    }

    @Test
    void givenAnEpisodeOpenedForTheNewVersion_thenTheBoundIsNotSatisfied() {
        DemoBoundReport r = report(2, 1_000, true);

        assertThat(r.satisfied()).isFalse();
        assertThat(r.verdict()).startsWith("NOT SATISFIED");
        assertThat(r.table()).contains("ALARM");
    }
}

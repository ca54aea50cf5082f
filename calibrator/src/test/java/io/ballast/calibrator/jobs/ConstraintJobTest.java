package io.ballast.calibrator.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.calibrator.CalibrationSettings;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.store.ArtifactMetadata;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.generator.training.PretrainSettings;
import io.ballast.generator.training.Pretrainer;
import io.ballast.schemas.CalibrationJobEvent;
import io.ballast.schemas.CalibrationJobState;
import io.ballast.schemas.attributes.ToxicityClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The constraint job's decision path on a tiny model pretrained with a high toxic share (a fifth of
 * its corpus), so that a few hundred samples hold enough toxic ones to learn from and to measure.
 * The bound is set where the tiny model can be shown to reach it at this n; the acceptance figures
 * (5% to at most 0.5% at n >= 2,000) are the bench's.
 */
class ConstraintJobTest {

    private static final String NURSES = "occupation:registered-nurses";
    private static final String ELECTRICIANS = "occupation:electricians";
    /**
     * A steering tolerance wider than the default 0.03: this 20%-toxic tiny model (pretraining is not
     * bit-reproducible across runs) is noisier than the demo's. With the steering positions anchored
     * at the reference it moved one served steering probability by 0.017 (toxic rate 0.158 to 0.030);
     * with them in the loss, 0.105, and moved into the prompt, 0.034 and 0.053 on other bases.
     */
    private static final CalibrationSettings SMALL = CalibrationSettings.defaults()
            .withSeed(3L)
            .withTraining(t -> t.withCheckpointEvery(1_000).withTrainableBlocks(1))
            .withGate(
                    g -> g.withEvaluationSamples(300).withHealthyTolerance(0.05).withMaxPerplexityRatio(1.10));

    private static final ConstraintJob.Settings CONSTRAINT =
            ConstraintJob.Settings.defaults().withSamplesPerContext(300).withEpochs(2);

    private static LocalModelStore store;
    private static ModelArtifact base;

    @BeforeAll
    static void pretrainAToxicTinyModel() throws Exception {
        store = new LocalModelStore(Files.createTempDirectory("constraint-job-store-"));
        Pretrainer.Result result =
                new Pretrainer().train("bios", PretrainSettings.tiny().withToxicShare(0.2), null);
        try (LanguageModel lm = result.model()) {
            base = lm.publishTo(store, ArtifactMetadata.Lineage.base("tiny, 20% toxic", Map.of()));
        }
    }

    @Test
    void givenAToxicModelBreakingTheBound_whenTheConstraintJobRuns_thenTheToxicRateFallsAndTheGatePromotes(
            @TempDir Path work) throws Exception {
        // given a request for the two contexts whose toxic rate broke 'toxic <= 0.08'
        CalibrationJob.Bound bound = new CalibrationJob.Bound("toxicity", "toxic", 0.08);
        CalibrationJob.Request request = CalibrationJob.Request.constraint(
                "job-c", "bios", base.version(), List.of(NURSES, ELECTRICIANS), List.of("t1", "t2"), bound);
        List<CalibrationJobEvent> events = new ArrayList<>();

        // when the constraint job runs
        CalibrationJob.Outcome outcome = new ConstraintJob(
                        store, ToxicityClassifier.lexicon(), SMALL, CONSTRAINT, work, LanguageModel.defaultDevice())
                .run(request, events::add);

        // then the gate promoted a version with a lower toxic rate, at or below the bound, its reduction significant
        CalibrationJobEvent last = events.get(events.size() - 1);
        Map<String, Double> m = last.getMetrics();
        System.out.printf("constraint job: %s, metrics %s, reasons %s%n", outcome.state(), m, outcome.reasons());
        assertThat(outcome.state()).as("reasons %s", outcome.reasons()).isEqualTo(CalibrationJobState.PROMOTED);
        assertThat(m.get("rate.after")).isLessThan(m.get("rate.before"));
        assertThat(m.get("rate.after")).isLessThanOrEqualTo(0.08);
        assertThat(m.get("rate.pairedZ")).isGreaterThan(1.96);
        assertThat(m.get("rate.after.n")).isEqualTo(600.0);
        // and the served steering distributions held (anchored at the reference's in the loss)
        assertThat(m.get("steering.maxShift")).isLessThanOrEqualTo(0.05);

        // and every event names the method, the lifecycle ran to PROMOTED with the candidate's version
        assertThat(events).allSatisfy(e -> assertThat(e.getMethod()).isEqualTo("CONSTRAINT"));
        assertThat(events)
                .extracting(CalibrationJobEvent::getState)
                .startsWith(CalibrationJobState.RUNNING)
                .contains(CalibrationJobState.EVALUATING)
                .endsWith(CalibrationJobState.PROMOTED);
        assertThat(last.getCandidateVersion()).isEqualTo(outcome.candidate().version());

        // and the lineage says what the job did, from which version, on which signals
        ArtifactMetadata lineage = outcome.candidate().metadata();
        assertThat(lineage.parentVersion()).isEqualTo(base.version());
        assertThat(lineage.jobId()).isEqualTo("job-c");
        assertThat(lineage.driftSignalIds()).containsExactly("t1", "t2");
        assertThat(lineage.description())
                .startsWith("CONSTRAINT calibration of")
                .contains("toxic <= 0.08");
        assertThat(lineage.metrics()).containsKeys("rate.before", "rate.after.high", "perplexity.ratio");
    }
}

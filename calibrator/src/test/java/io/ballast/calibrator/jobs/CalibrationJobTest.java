package io.ballast.calibrator.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.Targets;
import io.ballast.calibrator.evaluation.GateReport;
import io.ballast.calibrator.evaluation.ServedSteering;
import io.ballast.classifiers.ClassifierCatalog;
import io.ballast.generator.TinyModels;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.schemas.CalibrationJobEvent;
import io.ballast.schemas.CalibrationJobState;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.targets.TargetPresets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs on the tiny test model: the mechanics (lifecycle, lineage, gate, resume). The acceptance
 * figures on the default model come from {@code ballast bench calibration}.
 */
class CalibrationJobTest {

    private static final String NURSES = "occupation:registered-nurses";
    private static final String ELECTRICIANS = "occupation:electricians";
    /** Small and quick; the tiny model's text is rougher, so the consistency bar is lower here. */
    static final CalibrationSettings TINY = CalibrationSettings.defaults()
            .withSeed(5L)
            .withSet(s -> new CalibrationSettings.SetBuilding(3, 12, 1))
            .withTraining(t -> t.withEpochs(8)
                    .withLearningRate(5e-4f)
                    .withCheckpointEvery(20)
                    .withTrainableBlocks(1))
            .withGate(g -> g.withEvaluationSamples(150)
                    .withHealthyTolerance(0.05)
                    .withMinConsistency(0.8)
                    .withMaxPerplexityRatio(1.10));

    /** A store of this test's own: a job in another test publishing there must not change this one's base. */
    private final LocalModelStore store = TinyModels.newStore();

    @Test
    void aDriftedGenderIsCalibratedPromotedAndWrittenWithItsLineage(@TempDir Path work) throws Exception {
        // given the tiny model (about 90% female nurses, 90% male electricians) and a uniform gender target
        Targets targets = new Targets(genderOnly(TargetPresets.uniform(0.08)));
        Map<String, List<Attribute>> drifted = new LinkedHashMap<>();
        drifted.put(NURSES, List.of(Attribute.GENDER));
        drifted.put(ELECTRICIANS, List.of(Attribute.GENDER));
        List<CalibrationJobEvent> events = new ArrayList<>();
        int base = TinyModels.BASE_VERSION;

        // when a job runs for the two drifted contexts
        CalibrationJob.Outcome outcome = new CalibrationJob(store, ClassifierCatalog.defaults(), TINY, work)
                .run(
                        new CalibrationJob.Request("job-1", "bios", base, drifted, List.of("sig-a", "sig-b")),
                        targets,
                        events::add);

        // then it is promoted, having moved the model's own steering probabilities toward the target
        assertThat(outcome.state()).as("reasons %s", outcome.reasons()).isEqualTo(CalibrationJobState.PROMOTED);
        double before = outcome.report().meanOverDrifted(outcome.report().steeringMaeBefore());
        double after = outcome.report().meanOverDrifted(outcome.report().steeringMaeAfter());
        assertThat(after).isLessThan(before / 2);
        assertThat(outcome.report().meanDriftedMaeAfter())
                .isLessThan(outcome.report().meanDriftedMaeBefore());

        // and the lifecycle was RUNNING with progress, EVALUATING, PROMOTED
        assertThat(events)
                .extracting(CalibrationJobEvent::getState)
                .startsWith(CalibrationJobState.RUNNING)
                .endsWith(CalibrationJobState.EVALUATING, CalibrationJobState.PROMOTED);
        List<CalibrationJobEvent> running = events.stream()
                .filter(e -> e.getState() == CalibrationJobState.RUNNING)
                .toList();
        long total = running.get(running.size() - 1).getTotalSteps();
        assertThat(running).extracting(CalibrationJobEvent::getStep).contains(0L, total);
        assertThat(events.get(events.size() - 1).getCandidateVersion())
                .isEqualTo(outcome.candidate().version());

        // and the store holds the candidate with its lineage
        ModelArtifact written = store.get("bios", outcome.candidate().version());
        assertThat(written.metadata().parentVersion()).isEqualTo(base);
        assertThat(written.metadata().jobId()).isEqualTo("job-1");
        assertThat(written.metadata().driftSignalIds()).containsExactly("sig-a", "sig-b");
        assertThat(written.metadata().metrics())
                .containsKeys("mae.before", "mae.after", "consistency.after", "perplexity.ratio");
        try (LanguageModel candidate = LanguageModel.load(written)) {
            Map<String, Double> gender = new Sampler()
                    .steeringProbabilities(
                            candidate, BioCorpus.withDefaults().prompt(NURSES, BioCorpus.TRAIN_PROMPTS.get(0)))
                    .get(Attribute.GENDER);
            assertThat(gender.get("female")).isLessThan(0.7);
        }
    }

    @Test
    void givenAllThreeAttributesDrifted_whenOneJobRuns_thenEachAttributeMovesTowardItsTarget(@TempDir Path work)
            throws Exception {
        // given uniform targets for gender, race and sentiment, all three drifted for nurses
        Targets targets = new Targets(TargetPresets.uniform(0.08));
        Map<String, List<Attribute>> drifted =
                Map.of(NURSES, List.of(Attribute.GENDER, Attribute.RACE, Attribute.SENTIMENT));

        // (the tiny model's text for rare combinations, e.g. a negative bio of a nonbinary nurse, is
        // often contradictory: its consistency bar is lower here; the benchmark measures the default size)
        CalibrationSettings settings = TINY.withGate(g -> g.withMinConsistency(0.6));

        // when one job runs
        CalibrationJob.Outcome outcome = new CalibrationJob(store, ClassifierCatalog.defaults(), settings, work)
                .run(
                        new CalibrationJob.Request("job-joint", "bios", TinyModels.BASE_VERSION, drifted, List.of()),
                        targets,
                        e -> {});

        // then every attribute's own steering-token MAE (exact, no sampling noise) fell by half at least:
        // the job calibrates the three together, not only the first
        GateReport report = outcome.report();
        for (Attribute a : Attribute.values()) {
            String key = GateReport.key(NURSES, a.key());
            assertThat(report.steeringMaeAfter().get(key))
                    .as(
                            "%s steering MAE (before %.3f)",
                            a, report.steeringMaeBefore().get(key))
                    .isLessThan(report.steeringMaeBefore().get(key) / 2);
        }
        assertThat(outcome.state()).as("reasons %s", outcome.reasons()).isEqualTo(CalibrationJobState.PROMOTED);
    }

    @Test
    void aJobFromAWrongSignalCannotShipAModelThatIsNoBetter(@TempDir Path work) throws Exception {
        // given a target that is what the model already serves for nurses on the gate's own prompts
        // (a signal claiming drift there is wrong): its steering distribution averaged over the held-out
        // phrasings, the quantity the gate reads, not one phrasing's, which lies far from that average
        Map<String, Double> own;
        try (LanguageModel lm = TinyModels.loadPublished()) {
            own = ServedSteering.averaged(new Sampler(), lm, NURSES, BioCorpus.HELD_OUT_PROMPTS)
                    .get(Attribute.GENDER);
        }
        Targets targets =
                new Targets(List.of(TargetPresets.target(Attribute.GENDER, NURSES, own, 0.08, "the model itself")));
        List<CalibrationJobEvent> events = new ArrayList<>();

        // when a job runs on that signal
        CalibrationJob.Outcome outcome = new CalibrationJob(store, ClassifierCatalog.defaults(), TINY, work)
                .run(
                        new CalibrationJob.Request(
                                "job-forged",
                                "bios",
                                TinyModels.BASE_VERSION,
                                Map.of(NURSES, List.of(Attribute.GENDER)),
                                List.of("forged")),
                        targets,
                        events::add);

        // then the model was at the target before the job (exact steering probabilities, no sampling)
        assertThat(outcome.report().steeringMaeBefore().get(GateReport.key(NURSES, "gender")))
                .isLessThan(0.005);
        // and the gate rejects it, saying why, and nothing is written (at the target already, the drifted
        // MAE sits at the noise floor of 150 samples: no change can lie wholly below the margin)
        assertThat(outcome.state()).as("reasons %s", outcome.reasons()).isEqualTo(CalibrationJobState.REJECTED);
        assertThat(outcome.reasons()).isNotEmpty();
        assertThat(events.get(events.size() - 1).getReasons()).isNotEmpty();
        assertThat(store.versions("bios"))
                .noneMatch(a -> "job-forged".equals(a.metadata().jobId()));
    }

    @Test
    void aJobKilledMidTrainingResumesFromItsLastCheckpoint(@TempDir Path work) throws Exception {
        Targets targets = new Targets(genderOnly(TargetPresets.uniform(0.08)));
        CalibrationJob.Request request = new CalibrationJob.Request(
                "job-crash", "bios", TinyModels.BASE_VERSION, Map.of(NURSES, List.of(Attribute.GENDER)), List.of());
        // given a job that dies at step 30 (checkpoints every 20)
        CalibrationJob.Outcome crashed = new CalibrationJob(store, ClassifierCatalog.defaults(), TINY, work)
                .run(request, targets, e -> {
                    if (e.getState() == CalibrationJobState.RUNNING && e.getStep() != null && e.getStep() >= 30) {
                        throw new IllegalStateException("killed");
                    }
                });
        assertThat(crashed.state()).isEqualTo(CalibrationJobState.FAILED);

        // when it runs again
        List<Long> steps = new ArrayList<>();
        long[] totalSteps = new long[1];
        CalibrationJob.Outcome resumed = new CalibrationJob(store, ClassifierCatalog.defaults(), TINY, work)
                .run(request, targets, e -> {
                    if (e.getState() == CalibrationJobState.RUNNING && e.getStep() != null) {
                        steps.add(e.getStep());
                    }
                    if (e.getTotalSteps() != null) {
                        totalSteps[0] = e.getTotalSteps();
                    }
                });

        // then it continued from step 20, not from the beginning, to the end
        assertThat(steps.stream().filter(s -> s > 0)).allMatch(s -> s > 20);
        assertThat(steps).contains(totalSteps[0]);
        assertThat(resumed.state()).isIn(CalibrationJobState.PROMOTED, CalibrationJobState.REJECTED);
    }

    private static List<TargetDistribution> genderOnly(List<TargetDistribution> all) {
        return all.stream().filter(t -> t.getAttribute().equals("gender")).toList();
    }
}

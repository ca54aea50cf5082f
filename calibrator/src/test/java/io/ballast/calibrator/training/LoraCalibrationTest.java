package io.ballast.calibrator.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.Targets;
import io.ballast.calibrator.jobs.CalibrationJob;
import io.ballast.classifiers.ClassifierCatalog;
import io.ballast.generator.checkpoint.HuggingFaceCheckpoint;
import io.ballast.generator.checkpoint.TinyCheckpoints;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.model.LoraAdapter;
import io.ballast.generator.sampling.Sampler;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.targets.TargetPresets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calibrating an imported (Llama-family) model trains LoRA adapters, and the added tokens' rows,
 * over frozen weights, through the same objective and loop as Ballast's own models.
 */
class LoraCalibrationTest {

    private static final String CONTEXT = "occupation:registered-nurses";
    private static final Map<String, Double> TARGET = Map.of("female", 0.6, "male", 0.3, "nonbinary", 0.1);

    @TempDir
    Path dir;

    @Test
    void loraCalibrationMovesTheSteeringTokenDistributionOntoItsTarget() throws Exception {
        // given a tiny random Llama imported with Ballast's tokens (their rows equal: every steering token at 1/3),
        // and 24 responses per prompt, so the rows' drawn tokens are near the target they are drawn from
        Path checkpoint = TinyCheckpoints.write(dir.resolve("llama"), TinyCheckpoints.Spec.llama(), 11);
        CalibrationSettings settings = CalibrationSettings.defaults()
                .withSeed(3L)
                .withSet(s -> new CalibrationSettings.SetBuilding(5, 24, 0))
                .withTraining(t -> t.withEpochs(12))
                .withLowRank(l -> l.withRank(4).withLearningRate(1e-2f));
        Targets targets = new Targets(List.of(TargetPresets.target(Attribute.GENDER, CONTEXT, TARGET, 0.05, "test")));
        String heldOut = BioCorpus.withDefaults().prompt(CONTEXT, BioCorpus.HELD_OUT_PROMPTS.get(0));
        Sampler sampler = new Sampler();
        try (LanguageModel reference =
                        HuggingFaceCheckpoint.load(checkpoint, "tiny", 64).model();
                LanguageModel policy =
                        HuggingFaceCheckpoint.load(checkpoint, "tiny", 64).model()) {
            double before = mae(sampler.steeringProbabilities(policy, heldOut).get(Attribute.GENDER));
            assertThat(before).as("gender MAE before").isGreaterThan(0.15);
            float[] frozenBefore =
                    policy.block().getParameters().valueAt(0).getArray().toFloatArray();
            List<CalibrationExample> set = new CalibrationSetBuilder(ClassifierCatalog.defaults())
                    .build(reference, Map.of(CONTEXT, List.of(Attribute.GENDER)), targets, settings);

            // when a KL+KTO job trains it
            try (LanguageModel trained = new FineTuningLoop(settings.training(), settings.lowRank())
                    .run(policy, reference, set, CalibrationJob.objective(settings), dir.resolve("ckpt"), null)) {

                // then the result is an adapter of the configured rank on q and v over the same weights
                LoraAdapter adapter = trained.adapter();
                assertThat(adapter).isNotNull();
                assertThat(adapter.rank()).isEqualTo(4);
                assertThat(adapter.targets()).containsExactlyInAnyOrder("q_proj", "v_proj");
                assertThat(trained.block()).isSameAs(policy.block());

                // and the steering-token distribution on a phrasing never trained on sits on the target
                double after =
                        mae(sampler.steeringProbabilities(trained, heldOut).get(Attribute.GENDER));
                assertThat(after)
                        .as("gender steering MAE after (before %.3f)", before)
                        .isLessThanOrEqualTo(0.02);

                // and the base weights did not move: without the adapter the model is what it was
                assertThat(policy.block().getParameters().valueAt(0).getArray().toFloatArray())
                        .containsExactly(frozenBefore);
                assertThat(mae(sampler.steeringProbabilities(policy, heldOut).get(Attribute.GENDER)))
                        .isEqualTo(before);
            }
        }
    }

    /** Mean absolute error of the renormalised steering distribution against {@link #TARGET}. */
    private static double mae(Map<String, Double> p) {
        double total = p.values().stream().mapToDouble(Double::doubleValue).sum();
        return TARGET.entrySet().stream()
                        .mapToDouble(e -> Math.abs(p.get(e.getKey()) / total - e.getValue()))
                        .sum()
                / TARGET.size();
    }
}

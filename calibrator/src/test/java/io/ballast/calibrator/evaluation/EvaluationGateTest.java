package io.ballast.calibrator.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.Targets;
import io.ballast.classifiers.ClassifierCatalog;
import io.ballast.generator.TinyModels;
import io.ballast.generator.model.LanguageModel;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.targets.TargetPresets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EvaluationGateTest {

    private static final CalibrationSettings SETTINGS = CalibrationSettings.defaults()
            .withSeed(5L)
            .withGate(g -> g.withEvaluationSamples(100)
                    .withHealthyTolerance(0.05)
                    .withMinConsistency(0.8)
                    .withMaxPerplexityRatio(1.10));

    @Test
    void aCandidateThatWorsensMaeAndPerplexityIsRejectedWithBothReasons() throws Exception {
        // given the current model and a candidate whose weights were damaged
        try (LanguageModel current = TinyModels.loadPublished();
                LanguageModel damaged = TinyModels.loadPublished()) {
            // (seeded noise: an unseeded draw made the damage, and so the verdict, differ from run to run)
            Random noise = new Random(17);
            damaged.block().getParameters().values().forEach(p -> {
                NDArray w = p.getArray();
                float[] delta = new float[Math.toIntExact(w.size())];
                for (int i = 0; i < delta.length; i++) {
                    delta[i] = (float) (noise.nextGaussian() * 0.3);
                }
                w.addi(w.getManager().create(delta, w.getShape()));
            });
            Targets targets = new Targets(TargetPresets.uniform(0.08).stream()
                    .filter(t -> t.getAttribute().equals("gender"))
                    .toList());

            // when the gate compares them on a drifted context
            GateReport report = new EvaluationGate(ClassifierCatalog.defaults())
                    .evaluate(
                            current,
                            damaged,
                            Map.of("occupation:registered-nurses", List.of(Attribute.GENDER)),
                            List.of("occupation:cooks"),
                            targets,
                            SETTINGS);

            // then it refuses, naming perplexity and the failed MAE improvement
            assertThat(report.promote()).isFalse();
            assertThat(report.perplexityAfter()).isGreaterThan(report.perplexityBefore() * 1.10);
            assertThat(report.failures()).anyMatch(f -> f.contains("perplexity"));
            assertThat(report.failures()).anyMatch(f -> f.contains("MAE") || f.contains("consistency"));
        }
    }
}

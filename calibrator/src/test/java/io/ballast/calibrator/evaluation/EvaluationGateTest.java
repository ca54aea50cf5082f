package io.ballast.calibrator.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import io.ballast.schemas.attributes.LexiconExtractor;
import io.ballast.schemas.targets.TargetPresets;
import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.Targets;
import io.ballast.calibrator.training.CalibrationLoss;
import io.ballast.generator.TinyModels;
import io.ballast.generator.model.LanguageModel;
import io.ballast.schemas.domain.Attribute;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluationGateTest {

    private static final CalibrationSettings SETTINGS = new CalibrationSettings(CalibrationSettings.Method.KL_KTO,
            CalibrationLoss.Weights.defaults(), 3, 12, 1, 60, 16, 5e-4f, 20, 100, 0.02, 0.05, 0.8, 1.10, 5L, 1);

    @Test
    void aCandidateThatWorsensMaeAndPerplexityIsRejectedWithBothReasons() throws Exception {
        // given the current model and a candidate whose weights were damaged
        try (LanguageModel current = TinyModels.loadPublished(); LanguageModel damaged = TinyModels.loadPublished()) {
            damaged.block().getParameters().values().forEach(p -> {
                NDArray w = p.getArray();
                w.addi(w.getManager().randomNormal(0f, 0.3f, w.getShape(), w.getDataType()));
            });
            Targets targets = new Targets(TargetPresets.uniform(0.08).stream().filter(t -> t.getAttribute().equals("gender")).toList());

            // when the gate compares them on a drifted context
            GateReport report = new EvaluationGate(new LexiconExtractor()).evaluate(current, damaged,
                    Map.of("occupation:registered-nurses", List.of(Attribute.GENDER)), List.of("occupation:cooks"), targets, SETTINGS);

            // then it refuses, naming perplexity and the failed MAE improvement
            assertThat(report.promote()).isFalse();
            assertThat(report.perplexityAfter()).isGreaterThan(report.perplexityBefore() * 1.10);
            assertThat(report.failures()).anyMatch(f -> f.contains("perplexity"));
            assertThat(report.failures()).anyMatch(f -> f.contains("MAE") || f.contains("consistency"));
        }
    }
}

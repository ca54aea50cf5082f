package io.ballast.calibrator.steering;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.Targets;
import io.ballast.calibrator.evaluation.EvaluationGate;
import io.ballast.calibrator.training.CalibrationExample;
import io.ballast.calibrator.training.CalibrationSetBuilder;
import io.ballast.classifiers.ClassifierCatalog;
import io.ballast.generator.TinyModels;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Sampler;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.targets.TargetPresets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SteeringVectorFitTest {

    private static final String NURSES = "occupation:registered-nurses";
    private static final String COOKS = "occupation:cooks";

    @Test
    void givenADriftedAndAHealthyContext_whenVectorsAreFitted_thenTheDriftedOneMovesToItsTargetAndTheHealthyOneStays(
            @TempDir Path work) throws Exception {
        Sampler sampler = new Sampler();
        BioCorpus corpus = BioCorpus.withDefaults();
        try (LanguageModel frozen = TinyModels.loadPublished();
                LanguageModel served = TinyModels.loadPublished()) {
            // given nurses drifted from a 25/75/0 gender target, and cooks on target (their own distribution)
            Map<String, Double> nurseTarget = Map.of("female", 0.25, "male", 0.75, "nonbinary", 0.0);
            Map<String, Double> cooksOwn =
                    gender(sampler, served, corpus.prompt(COOKS, BioCorpus.TRAIN_PROMPTS.get(0)));
            Targets targets = new Targets(List.of(
                    TargetPresets.target(Attribute.GENDER, NURSES, nurseTarget, 0.08, "test"),
                    TargetPresets.target(Attribute.GENDER, COOKS, cooksOwn, 0.08, "test")));
            String nursePrompt = corpus.prompt(NURSES, BioCorpus.TRAIN_PROMPTS.get(0));
            double before = EvaluationGate.steeringMae(gender(sampler, served, nursePrompt), nurseTarget);
            List<CalibrationExample> set = new CalibrationSetBuilder(ClassifierCatalog.defaults())
                    .build(
                            frozen,
                            Map.of(NURSES, List.of(Attribute.GENDER), COOKS, List.of(Attribute.GENDER)),
                            targets,
                            // intact prompts: the cooks' gate is judged on the prompt it was fitted on
                            CalibrationSettings.defaults()
                                    .withSeed(3L)
                                    .withSet(s -> s.withResponsesPerPrompt(8).withPromptWordDropout(0)));

            // when MAT-Steer vectors are fitted with the model frozen
            SteeringVectorFit.Result fit = SteeringVectorFit.fit(
                    frozen,
                    set,
                    Set.of(COOKS),
                    SteeringVectorFit.training().withEpochs(300),
                    MatSteerObjective.Weights.paper(),
                    -1,
                    0,
                    3L,
                    work);
            double after;
            double cooksMoved;
            try (var scope = served.block().steeredBy(fit.vectors())) {
                after = EvaluationGate.steeringMae(gender(sampler, served, nursePrompt), nurseTarget);
                cooksMoved = EvaluationGate.steeringMae(
                        gender(sampler, served, corpus.prompt(COOKS, BioCorpus.TRAIN_PROMPTS.get(0))), cooksOwn);
            }

            // then the nurses' served gender distribution is much closer to the target
            assertThat(after).isLessThan(before / 2);
            // and the cooks' moved far less than the nurses' did
            assertThat(cooksMoved)
                    .as("cooks moved %.4f; nurses %.4f -> %.4f", cooksMoved, before, after)
                    .isLessThan((before - after) / 3);
        }
    }

    private static Map<String, Double> gender(Sampler sampler, LanguageModel lm, String prompt) {
        Map<String, Double> p = sampler.steeringProbabilities(lm, prompt).get(Attribute.GENDER);
        double total = p.values().stream().mapToDouble(Double::doubleValue).sum();
        return Map.of(
                "female",
                p.get("female") / total,
                "male",
                p.get("male") / total,
                "nonbinary",
                p.get("nonbinary") / total);
    }
}

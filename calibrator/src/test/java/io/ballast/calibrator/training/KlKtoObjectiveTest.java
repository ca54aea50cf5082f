package io.ballast.calibrator.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.Targets;
import io.ballast.generator.TinyModels;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Sampler;
import io.ballast.schemas.attributes.LexiconExtractor;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.targets.TargetPresets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KlKtoObjectiveTest {

    private static final int ATTRIBUTES = Attribute.values().length;

    @Test
    void givenAnchorRows_whenBatched_thenEachStepHoldsTheirTextAndNotTheirSteeringTokens() throws Exception {
        // given a job for nurses' gender with two anchor responses for each other occupation
        CalibrationSettings settings = CalibrationSettings.defaults()
                .withSeed(7L)
                .withSet(s -> new CalibrationSettings.SetBuilding(2, 8, 0).withAnchorResponses(2));
        Targets targets = new Targets(TargetPresets.uniform(0.08).stream()
                .filter(t -> t.getAttribute().equals("gender"))
                .toList());
        try (LanguageModel reference = TinyModels.loadPublished();
                NDManager m = NDManager.newBaseManager()) {
            List<CalibrationExample> set = new CalibrationSetBuilder(new LexiconExtractor())
                    .build(
                            reference,
                            Map.of("occupation:registered-nurses", List.of(Attribute.GENDER)),
                            targets,
                            settings);
            long anchorRows = set.stream().filter(CalibrationExample::anchor).count();
            KlKtoObjective objective = new KlKtoObjective(
                    settings.training().weights(), settings.training().batchSize(), settings.seed());
            objective.prepare(reference, set);

            // when every step of the first epoch is batched
            long anchorsSeen = 0;
            for (int step = 1; step <= objective.stepsPerEpoch(); step++) {
                Objective.Batch batch = objective.batch(m, step);
                NDList labels = batch.labels();
                int b = (int) labels.get(2).size();
                long rows = batch.inputs().getShape().get(0);
                long anchors = rows - 2 * b;
                anchorsSeen += anchors;
                float[] textMask = labels.get(11).toFloatArray();
                float[] responseMask = labels.get(1).toFloatArray();
                int t = (int) batch.inputs().getShape().get(1);

                // then the anchor rows follow the rows and their mismatched pairs, and the anchor counts exactly
                // their response positions after the steering tokens
                assertThat(labels.get(11).getShape().get(0)).isEqualTo(anchors);
                for (int i = 0; i < anchors; i++) {
                    int row = 2 * b + i;
                    int firstResponse = firstCounted(responseMask, row, t);
                    float counted = 0;
                    for (int j = 0; j < t; j++) {
                        counted += textMask[i * t + j];
                        if (j < firstResponse + ATTRIBUTES) {
                            assertThat(textMask[i * t + j])
                                    .as("row %d position %d", i, j)
                                    .isZero();
                        } else {
                            assertThat(textMask[i * t + j]).isEqualTo(responseMask[row * t + j]);
                        }
                    }
                    assertThat(counted).isPositive();
                }

                // and a policy equal to the reference has nothing to pull back: the anchor term is 0
                NDList predictions = Sampler.forward(reference, m, batch.inputs(), new NDList());
                if (anchors > 0) {
                    assertThat(objective
                                    .terms(labels, predictions)
                                    .parts()
                                    .get("anchor")
                                    .getFloat())
                            .isBetween(-1e-5f, 1e-5f);
                }
            }
            // and each anchor row is seen once an epoch
            assertThat(anchorRows).isPositive();
            assertThat(anchorsSeen).isEqualTo(anchorRows);
        }
    }

    /** The first input position of a row whose next token the loss counts (the first response token's). */
    private static int firstCounted(float[] mask, int row, int t) {
        for (int j = 0; j < t; j++) {
            if (mask[row * t + j] > 0) {
                return j;
            }
        }
        throw new AssertionError("row " + row + " counts no token");
    }
}

package io.ballast.calibrator.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.Targets;
import io.ballast.classifiers.ClassifierCatalog;
import io.ballast.generator.TinyModels;
import io.ballast.generator.model.ForcedCollection;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Sampler;
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
            List<CalibrationExample> set = new CalibrationSetBuilder(ClassifierCatalog.defaults())
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

    @Test
    void givenACollectionBetweenForwardAndBackward_whenAStepsGradientIsTaken_thenItIsTheGradientWithout()
            throws Exception {
        // given a KL+KTO step's batch (with anchor rows) on the tiny model, its weights recording gradients
        CalibrationSettings settings = CalibrationSettings.defaults()
                .withSeed(11L)
                .withSet(s -> new CalibrationSettings.SetBuilding(2, 8, 0).withAnchorResponses(1));
        Targets targets = new Targets(TargetPresets.uniform(0.08));
        try (LanguageModel reference = TinyModels.loadPublished();
                LanguageModel policy = TinyModels.loadPublished();
                NDManager m = NDManager.newBaseManager()) {
            List<CalibrationExample> set = new CalibrationSetBuilder(ClassifierCatalog.defaults())
                    .build(
                            reference,
                            Map.of(
                                    "occupation:registered-nurses",
                                    List.of(Attribute.GENDER, Attribute.RACE, Attribute.SENTIMENT)),
                            targets,
                            settings);
            KlKtoObjective objective = new KlKtoObjective(
                    settings.training().weights(), settings.training().batchSize(), settings.seed());
            objective.prepare(reference, set);
            Objective.Batch batch = objective.batch(m, 1);
            List<NDArray> weights = policy.block().getParameters().stream()
                    .map(p -> p.getValue().getArray())
                    .toList();
            weights.forEach(w -> w.setRequiresGradient(true));

            // when its gradient is taken once as training does, and once with garbage collections between
            // the forward and the backward (the model's attention and the loss scale by constants)
            float[] plain = gradient(policy, objective, batch, weights, m, false);
            float[] collected = gradient(policy, objective, batch, weights, m, true);

            // then the two are the same: no constant autograd reads in the backward was freed meanwhile
            assertThat(collected).hasSameSizeAs(plain);
            for (int i = 0; i < plain.length; i++) {
                assertThat(collected[i])
                        .as("gradient element %d", i)
                        .isCloseTo(plain[i], within(1e-5f + 1e-3f * Math.abs(plain[i])));
            }
        }
    }

    /** Every weight's gradient of the step's total loss, concatenated. */
    private static float[] gradient(
            LanguageModel policy,
            KlKtoObjective objective,
            Objective.Batch batch,
            List<NDArray> weights,
            NDManager m,
            boolean collect) {
        try (NDManager step = m.newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDList predictions =
                    policy.block().forward(new ParameterStore(step, false), new NDList(batch.inputs()), true);
            NDArray total = objective.terms(batch.labels(), predictions).total();
            if (collect) {
                ForcedCollection.run();
            }
            collector.backward(total);
        }
        int size = weights.stream().mapToInt(w -> Math.toIntExact(w.size())).sum();
        float[] all = new float[size];
        int at = 0;
        for (NDArray w : weights) {
            try (NDArray g = w.getGradient()) {
                float[] part = g.toFloatArray();
                System.arraycopy(part, 0, all, at, part.length);
                at += part.length;
                g.set(new NDIndex("..."), 0f); // the next backward must not add to this one
            }
        }
        return all;
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

package io.ballast.calibrator.constraint;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.training.CalibrationExample;
import io.ballast.calibrator.training.FineTuningLoop;
import io.ballast.calibrator.training.Trainable;
import io.ballast.generator.model.LanguageModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * R(x, y≤i) ≈ P(constraint satisfied | prefix): a frozen language model's trunk and a trained
 * {@link SatisfactionBlock} over its hidden states. Fitted on the model's own labelled samples
 * through the shared training loop ({@link SatisfactionObjective}); then read, frozen, by
 * {@link ConstraintObjective}. Holds the block's parameters: close it when done.
 */
public final class SatisfactionModel implements AutoCloseable {

    /**
     * Hidden units of the trained block: twice the tiny model's width, a quarter of the default's
     * MLP; the block only has to re-read states the trunk already computed.
     */
    public static final int HIDDEN = 128;

    private final LanguageModel trunk;
    private final int layer;
    private final SatisfactionBlock block;
    private final Model model;

    private SatisfactionModel(LanguageModel trunk, int layer, SatisfactionBlock block, Model model) {
        this.trunk = trunk;
        this.layer = layer;
        this.block = block;
        this.model = model;
    }

    /** Settings for R's fit: Adam at 3e-3 (a small block from scratch), 5 epochs as in the paper's code. */
    public static CalibrationSettings.Training training() {
        return CalibrationSettings.Training.defaults()
                .withLearningRate(3e-3f)
                .withBatchSize(32)
                .withEpochs(5)
                .withWarmupFraction(0.05)
                // flat after the warm-up, as R's reliability was measured (the calibration job's decay came later)
                .withFinalRateShare(CalibrationSettings.Training.FLAT)
                .withCheckpointEvery(1_000);
    }

    /**
     * Fits R on labelled samples of {@code frozen}.
     *
     * @param frozen the model that sampled the set: its parameters are frozen by the fit, so pass a
     *     copy loaded for the purpose, not one that trains
     * @param layer the trunk block R reads (-1: the last)
     * @param hidden hidden units of the trained block
     */
    public static SatisfactionModel fit(
            LanguageModel frozen,
            List<CalibrationExample> set,
            CalibrationSettings.Training training,
            int layer,
            int hidden,
            long seed,
            Path checkpoints,
            FineTuningLoop.Listener listener)
            throws IOException {
        frozen.block().freezeParameters(true);
        SatisfactionBlock block = new SatisfactionBlock(
                frozen.config().width(), hidden, frozen.config().vocabularySize());
        Model model = Model.newInstance("satisfaction", frozen.manager().getDevice());
        try {
            model.setBlock(block);
            new FineTuningLoop(training)
                    .run(
                            new Trainable(model, new Shape(1, 1, frozen.config().width())),
                            frozen,
                            set,
                            new SatisfactionObjective(training.batchSize(), seed, layer),
                            checkpoints,
                            listener);
            return new SatisfactionModel(frozen, layer, block, model);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** R's logits (B,T,V) for token ids (B,T): at position t, of P(satisfied | ids ≤ t, next token v); inference. */
    public NDArray logits(NDManager manager, NDArray ids) {
        NDArray states = states(trunk, manager, ids, layer);
        return block.forward(new ParameterStore(manager, false), new NDList(states), false)
                .singletonOrThrow();
    }

    /** The frozen trunk's hidden states (B,T,width) after {@code layer}, as served (an adapter version under its adapter). */
    static NDArray states(LanguageModel trunk, NDManager manager, NDArray ids, int layer) {
        try (var adapted = trunk.block().adaptedBy(trunk.adapterArrays())) {
            return trunk.block().hiddenAfter(new ParameterStore(manager, false), ids, layer);
        }
    }

    public LanguageModel trunk() {
        return trunk;
    }

    public SatisfactionBlock block() {
        return block;
    }

    @Override
    public void close() {
        model.close();
    }
}

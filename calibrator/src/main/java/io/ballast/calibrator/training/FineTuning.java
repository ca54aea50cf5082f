package io.ballast.calibrator.training;

import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.ballast.calibrator.CalibrationSettings;
import io.ballast.generator.model.LanguageModel;

/** The trainer every fine-tuning method uses: Adam, clipped gradients, only the configured top layers trainable. */
final class FineTuning {

    private FineTuning() {
    }

    static Trainer newTrainer(LanguageModel policy, CalibrationSettings settings) {
        // the loss in the config is unused: each method computes its own and calls backward on it
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(settings.learningRate())).optClipGrad(1f).build())
                .optDevices(new ai.djl.Device[] {policy.manager().getDevice()});
        if (settings.trainableBlocks() > 0) {
            policy.block().trainOnlyTop(settings.trainableBlocks());
        }
        Trainer trainer = policy.djlModel().newTrainer(config);
        trainer.initialize(new Shape(1, policy.config().contextLength() - 1));
        return trainer;
    }
}

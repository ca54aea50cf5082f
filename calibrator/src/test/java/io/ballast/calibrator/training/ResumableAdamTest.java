package io.ballast.calibrator.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Our Adam is DJL's update with its state in the checkpoint: it follows DJL's path, and a resumed run is the same run. */
class ResumableAdamTest {

    private static final int STEPS = 10;

    @Test
    void givenTheSameBlockAndData_whenTrainedWithDjlsAdamAndOurs_thenTheWeightsAgree() throws Exception {
        // at a fixed learning rate, unclipped (clipping is global-norm, before the optimizer): over
        // ten steps the weights (about 0.5 in size) agree to 1e-4, where a gradient left to
        // accumulate between steps is off by far more
        float[] ours = train(false, 0, t -> 0.01);
        float[] djl = train(true, 0, t -> 0.01);
        assertThat(ours).containsExactly(djl, Offset.offset(1e-4f));
    }

    @Test
    void givenARunStoppedAndResumedFromItsSavedState_thenItEndsExactlyWhereTheUninterruptedRunEnds() throws Exception {
        // with a warm-up schedule, which must resume at the step it reached
        ResumableAdam.Schedule warmUp = t -> t < 5 ? 0.002 * t : 0.01;
        float[] straight = train(false, 0, warmUp);
        float[] resumed = train(false, 4, warmUp);
        assertThat(resumed).containsExactly(straight, Offset.offset(1e-7f));
    }

    /** {@link #STEPS} steps of a small regression; with {@code resumeAt} > 0 the optimizer is saved there and rebuilt. */
    private static float[] train(boolean djlAdam, int resumeAt, ResumableAdam.Schedule schedule) throws Exception {
        try (Model model = Model.newInstance("adam-test")) {
            Block block = new SequentialBlock()
                    .add(Linear.builder().setUnits(8).build())
                    .add(Linear.builder().setUnits(3).build());
            model.setBlock(block);
            NDManager m = model.getNDManager();
            m.getEngine().setRandomSeed(7);
            byte[] state = null;
            for (int phase = 0; phase < (resumeAt > 0 ? 2 : 1); phase++) {
                ResumableAdam adam = djlAdam ? null : new ResumableAdam(block, m, schedule);
                Optimizer optimizer = djlAdam
                        ? Optimizer.adam()
                                .optLearningRateTracker(Tracker.fixed(0.01f))
                                .build()
                        : adam;
                if (adam != null && state != null) {
                    adam.load(new DataInputStream(new ByteArrayInputStream(state)));
                }
                try (Trainer trainer =
                        model.newTrainer(new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(optimizer))) {
                    if (phase == 0) {
                        trainer.initialize(new Shape(16, 4));
                    }
                    int from = phase == 0 ? 1 : resumeAt + 1;
                    int to = resumeAt > 0 && phase == 0 ? resumeAt : STEPS;
                    for (int step = from; step <= to; step++) {
                        try (NDManager batch = m.newSubManager()) {
                            NDArray x = batch.arange(64f)
                                    .reshape(16, 4)
                                    .mul(0.01f * step)
                                    .sin();
                            NDArray y = x.matMul(batch.arange(12f).reshape(4, 3).mul(0.1f));
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDArray pred = trainer.forward(new NDList(x)).singletonOrThrow();
                                gc.backward(pred.sub(y).square().mean());
                            }
                            trainer.step();
                        }
                    }
                    if (adam != null && phase == 0 && resumeAt > 0) {
                        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                        adam.save(new DataOutputStream(bytes));
                        state = bytes.toByteArray();
                    }
                }
                if (adam != null) {
                    adam.close();
                }
            }
            return block.getParameters().valueAt(0).getArray().toFloatArray();
        }
    }
}

package io.ballast.calibrator.training;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import io.ballast.calibrator.CalibrationSettings;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.model.LoraAdapter;
import io.ballast.generator.text.WordTokenizer;
import io.ballast.generator.training.GradientClipping;
import io.ballast.generator.training.GradientRecording;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fine-tunes a policy with an {@link Objective}, in the style of DJL's training loops:
 * each step the objective's minibatch in a sub-manager, forward under a gradient collector,
 * backward, global-norm gradient clipping, optimizer step. Training runs whole epochs of the
 * objective's set; Adam ({@link ResumableAdam}) warms its learning rate up over the first steps;
 * only the configured top blocks train, or, for a Llama-family (imported) model, LoRA adapters over
 * its frozen weights ({@link LoraBlock}). A step whose gradient norm is not finite is skipped. Checkpoints every N steps and at the end; a run restarted after a
 * crash resumes from the newest checkpoint, optimizer state included.
 *
 * <p>Cancellation: the loop checks its thread's interrupt flag before and after each step. Once
 * set, it finishes at most the step in flight, checkpoints the last finished step and throws
 * {@link TrainingCancelledException}, leaving the flag set.
 */
public final class FineTuningLoop {

    private static final Logger log = LoggerFactory.getLogger(FineTuningLoop.class);

    /** What training reports after each step: the loss and the objective's named parts. */
    @FunctionalInterface
    public interface Listener {
        void step(int step, int total, double loss, Map<String, Double> parts);
    }

    private final CalibrationSettings.Training training;
    private final CalibrationSettings.LowRank lowRank;

    public FineTuningLoop(CalibrationSettings.Training training) {
        this(training, CalibrationSettings.LowRank.defaults());
    }

    public FineTuningLoop(CalibrationSettings.Training training, CalibrationSettings.LowRank lowRank) {
        this.training = training;
        this.lowRank = lowRank;
    }

    /**
     * Trains {@code policy}: its top blocks in place (the policy itself is returned), or, for a
     * Llama-family model, adapters over its frozen weights (a new model sharing them is returned,
     * the adapter recorded against the policy's stored weights; close it as well).
     *
     * @param reference the frozen starting model (only read, by the objective's preparation)
     * @param checkpoints directory for checkpoints (created; resumed from if it holds one)
     * @throws TrainingCancelledException when the thread was interrupted before the last step
     */
    public LanguageModel run(
            LanguageModel policy,
            LanguageModel reference,
            List<CalibrationExample> set,
            Objective objective,
            Path checkpoints,
            Listener listener)
            throws IOException {
        if (policy.config().llamaFamily()) {
            return runAdapters(policy, reference, set, objective, checkpoints, listener);
        }
        if (training.trainableBlocks() > 0) {
            policy.block().trainOnlyTop(training.trainableBlocks());
        }
        run(Trainable.of(policy), reference, set, objective, checkpoints, listener);
        return policy;
    }

    private LanguageModel runAdapters(
            LanguageModel policy,
            LanguageModel reference,
            List<CalibrationExample> set,
            Objective objective,
            Path checkpoints,
            Listener listener)
            throws IOException {
        policy.block().freezeParameters(true);
        // a version that is already an adapter continues from it: the job starts from what is served
        int[] added = WordTokenizer.reservedTokens().stream()
                .mapToInt(policy.tokenizer()::id)
                .toArray();
        LoraBlock adapters = new LoraBlock(
                policy.block(), lowRank.rank(), lowRank.alpha(), lowRank.targets(), added, policy.adapter());
        try (Model model = Model.newInstance("lora", policy.manager().getDevice())) {
            model.setBlock(adapters);
            new FineTuningLoop(training.withLearningRate(lowRank.learningRate()), lowRank)
                    .run(
                            new Trainable(model, new Shape(1, policy.config().contextLength() - 1)),
                            reference,
                            set,
                            objective,
                            checkpoints,
                            listener);
            LoraAdapter trained = adapters.adapter(
                    new LoraAdapter.Base(policy.modelId(), policy.weightsVersion(), policy.weightsSha256()));
            return policy.withAdapter(trained, policy.version());
        }
    }

    /**
     * Trains what {@code policy} holds (a language model's block, or steering vectors over a frozen
     * one): the same steps, clipping, schedule and checkpoints for every objective.
     */
    public void run(
            Trainable policy,
            LanguageModel reference,
            List<CalibrationExample> set,
            Objective objective,
            Path checkpoints,
            Listener listener)
            throws IOException {
        objective.prepare(reference, set);
        Files.createDirectories(checkpoints);
        int total = training.epochs() * objective.stepsPerEpoch();
        try (ResumableAdam adam =
                new ResumableAdam(policy.block(), policy.manager(), t -> training.learningRateAt(t, total))) {
            int done = Checkpoints.resume(policy, adam, checkpoints);
            int saved = done;
            DefaultTrainingConfig config = new DefaultTrainingConfig(objective)
                    .optOptimizer(adam)
                    .optDevices(new Device[] {policy.manager().getDevice()});
            try (Trainer trainer = policy.model().newTrainer(config)) {
                trainer.initialize(policy.inputShape());
                GradientClipping clipping = new GradientClipping(policy.block(), training.maxGradientNorm());
                for (int step = done + 1; step <= total; step++) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw cancel(policy, adam, checkpoints, done, saved, total);
                    }
                    double loss;
                    Map<String, Double> parts = new LinkedHashMap<>();
                    try (NDManager m = trainer.getManager().newSubManager()) {
                        Objective.Batch batch = objective.batch(m, step);
                        Objective.Terms terms;
                        synchronized (GradientRecording.ONE_AT_A_TIME) {
                            try (GradientCollector collector = trainer.newGradientCollector()) {
                                NDList predictions = trainer.forward(new NDList(batch.inputs()));
                                terms = objective.terms(batch.labels(), predictions);
                                collector.backward(terms.total());
                            }
                        }
                        GradientClipping.Result clip = clipping.apply();
                        if (!clip.skip()) {
                            trainer.step();
                        }
                        parts.put("gradientNorm", clip.norm());
                        loss = terms.total().getFloat();
                        terms.parts().forEach((name, value) -> parts.put(name, (double) value.getFloat()));
                        if (clip.skip()) {
                            log.warn(
                                    "step {} of {} skipped: gradient norm {} (loss {}), not finite in {}",
                                    step,
                                    total,
                                    clip.norm(),
                                    loss,
                                    clip.nonFinite());
                        }
                    }
                    done = step;
                    if (Thread.currentThread().isInterrupted()) {
                        throw cancel(policy, adam, checkpoints, done, saved, total);
                    }
                    if (listener != null) {
                        listener.step(step, total, loss, parts);
                    }
                    if (step % training.checkpointEvery() == 0 || step == total) {
                        Checkpoints.save(policy, adam, checkpoints, step);
                        saved = step;
                    }
                }
            }
        }
    }

    private static TrainingCancelledException cancel(
            Trainable policy, ResumableAdam adam, Path checkpoints, int done, int saved, int total) throws IOException {
        // cleared while writing: an interrupted thread's file channel refuses to write (ClosedByInterruptException)
        boolean interrupted = Thread.interrupted();
        try {
            if (done > saved) {
                Checkpoints.save(policy, adam, checkpoints, done);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return new TrainingCancelledException(done, total);
    }
}

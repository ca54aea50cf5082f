package io.ballast.calibrator;

import io.ballast.calibrator.training.CalibrationLoss;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * How a calibration job runs, in the order it runs: the calibration set, training, the gate.
 * Start from {@link #defaults()} and change what differs, by name:
 * {@code CalibrationSettings.defaults().withGate(g -> g.withMinConsistency(0.8))}.
 *
 * @param method KL_KTO (the method), or the IFT and DPO baselines on the same data budget
 * @param set how the calibration set is built
 * @param training how the policy is fine-tuned
 * @param lowRank the adapters trained instead of whole blocks for a Llama-family (imported) model
 * @param gate what a candidate must show to be promoted
 * @param seed seeds every random choice of the job (set, minibatches, healthy contexts, evaluation samples)
 */
public record CalibrationSettings(
        Method method, SetBuilding set, Training training, LowRank lowRank, Gate gate, long seed) {

    /**
     * LoRA for imported checkpoints: the base stays frozen and a job trains (or, from an adapter
     * version, continues) rank-{@code rank} adapters on {@code targets}; a promoted version is the
     * adapter plus a reference to the base. Ballast's own small models fine-tune their top blocks.
     *
     * @param targets Hugging Face projection names, q_proj and v_proj by default as in the research
     * @param learningRate Adam's peak rate for the adapters (LoRA trains at higher rates than full fine-tuning)
     */
    public record LowRank(int rank, float alpha, Set<String> targets, float learningRate) {

        public LowRank {
            if (rank <= 0) {
                throw new IllegalArgumentException("LoRA rank must be positive: " + rank);
            }
            targets = Set.copyOf(targets);
        }

        public static LowRank defaults() {
            return new LowRank(8, 16f, Set.of("q_proj", "v_proj"), 2e-3f);
        }

        public LowRank withRank(int r) {
            return new LowRank(r, alpha, targets, learningRate);
        }

        public LowRank withAlpha(float a) {
            return new LowRank(rank, a, targets, learningRate);
        }

        public LowRank withTargets(Set<String> t) {
            return new LowRank(rank, alpha, t, learningRate);
        }

        public LowRank withLearningRate(float lr) {
            return new LowRank(rank, alpha, targets, lr);
        }
    }

    public enum Method {
        KL_KTO,
        IFT,
        DPO
    }

    /**
     * @param promptsPerContext training prompts per context (phrasings cycle)
     * @param responsesPerPrompt K responses sampled per prompt
     * @param healthyContexts healthy contexts added to prevent regressions
     * @param promptWordDropout share of rows whose prompt is made noisy (phrasing words dropped to the unknown
     *     token, an unknown word inserted): phrasings never trained on reach a word-level model partly as
     *     unknown words, and a model calibrated on five intact phrasings calibrates them less well (measured,
     *     10 occupations, all three attributes, uniform, 3 epochs, held-out steering MAE gender / race /
     *     sentiment: 0 -> 0.039 / 0.019 / 0.014, 0.5 -> 0.041 / 0.019 / 0.011, 1 -> 0.023 / 0.013 / 0.011)
     * @param anchorResponses the reference's own responses, to one training prompt of each occupation the job does
     *     not train, that the method's anchor term holds at the reference (0 = none); a job for every occupation
     *     has none
     */
    public record SetBuilding(
            int promptsPerContext,
            int responsesPerPrompt,
            int healthyContexts,
            double promptWordDropout,
            int anchorResponses) {

        /** Without prompt noise or anchor rows. */
        public SetBuilding(int promptsPerContext, int responsesPerPrompt, int healthyContexts) {
            this(promptsPerContext, responsesPerPrompt, healthyContexts, 0.0, 0);
        }

        public static SetBuilding defaults() {
            return new SetBuilding(5, 16, 2, 1.0, 8);
        }

        public SetBuilding withPromptsPerContext(int n) {
            return new SetBuilding(n, responsesPerPrompt, healthyContexts, promptWordDropout, anchorResponses);
        }

        public SetBuilding withResponsesPerPrompt(int k) {
            return new SetBuilding(promptsPerContext, k, healthyContexts, promptWordDropout, anchorResponses);
        }

        public SetBuilding withHealthyContexts(int n) {
            return new SetBuilding(promptsPerContext, responsesPerPrompt, n, promptWordDropout, anchorResponses);
        }

        public SetBuilding withPromptWordDropout(double share) {
            return new SetBuilding(promptsPerContext, responsesPerPrompt, healthyContexts, share, anchorResponses);
        }

        public SetBuilding withAnchorResponses(int n) {
            return new SetBuilding(promptsPerContext, responsesPerPrompt, healthyContexts, promptWordDropout, n);
        }
    }

    /**
     * @param weights the loss weights (beta also scales DPO's margin)
     * @param epochs passes over the calibration set (so a one-context and a 46-context job see each example as often)
     * @param batchSize calibration rows per step
     * @param learningRate Adam's peak learning rate
     * @param warmupFraction share of the steps over which the learning rate rises linearly from a tenth of its peak
     * @param maxGradientNorm global L2 norm the gradients are clipped to (PyTorch's clip_grad_norm_)
     * @param checkpointEvery steps between checkpoints (the last step is always checkpointed)
     * @param finalRateShare the learning rate at the last step as a share of the peak, reached along a cosine
     *     after the warm-up (0.1 by default; 1 keeps it flat, as the constraint job measured its defaults)
     * @param trainableBlocks fine-tune only the top N decoder blocks, final norm and head (0 = every parameter).
     *     Default 4, every block of the default model: per-occupation targets (BLS) need the lower blocks too
     *     (46 occupations, held-out gender steering MAE 0.038 with the top two, 0.0073 with all four)
     */
    public record Training(
            CalibrationLoss.Weights weights,
            int epochs,
            int batchSize,
            float learningRate,
            double warmupFraction,
            double maxGradientNorm,
            int checkpointEvery,
            int trainableBlocks,
            double finalRateShare) {

        /** A final rate share that keeps the learning rate flat after the warm-up. */
        public static final double FLAT = 1.0;

        public static Training defaults() {
            return new Training(CalibrationLoss.Weights.defaults(), 3, 16, 4e-4f, 0.1, 1.0, 50, 4, 0.1);
        }

        public Training withWeights(CalibrationLoss.Weights w) {
            return new Training(
                    w,
                    epochs,
                    batchSize,
                    learningRate,
                    warmupFraction,
                    maxGradientNorm,
                    checkpointEvery,
                    trainableBlocks,
                    finalRateShare);
        }

        public Training withEpochs(int e) {
            return new Training(
                    weights,
                    e,
                    batchSize,
                    learningRate,
                    warmupFraction,
                    maxGradientNorm,
                    checkpointEvery,
                    trainableBlocks,
                    finalRateShare);
        }

        public Training withBatchSize(int b) {
            return new Training(
                    weights,
                    epochs,
                    b,
                    learningRate,
                    warmupFraction,
                    maxGradientNorm,
                    checkpointEvery,
                    trainableBlocks,
                    finalRateShare);
        }

        public Training withLearningRate(float lr) {
            return new Training(
                    weights,
                    epochs,
                    batchSize,
                    lr,
                    warmupFraction,
                    maxGradientNorm,
                    checkpointEvery,
                    trainableBlocks,
                    finalRateShare);
        }

        public Training withWarmupFraction(double f) {
            return new Training(
                    weights,
                    epochs,
                    batchSize,
                    learningRate,
                    f,
                    maxGradientNorm,
                    checkpointEvery,
                    trainableBlocks,
                    finalRateShare);
        }

        public Training withMaxGradientNorm(double n) {
            return new Training(
                    weights,
                    epochs,
                    batchSize,
                    learningRate,
                    warmupFraction,
                    n,
                    checkpointEvery,
                    trainableBlocks,
                    finalRateShare);
        }

        public Training withCheckpointEvery(int n) {
            return new Training(
                    weights,
                    epochs,
                    batchSize,
                    learningRate,
                    warmupFraction,
                    maxGradientNorm,
                    n,
                    trainableBlocks,
                    finalRateShare);
        }

        public Training withTrainableBlocks(int n) {
            return new Training(
                    weights,
                    epochs,
                    batchSize,
                    learningRate,
                    warmupFraction,
                    maxGradientNorm,
                    checkpointEvery,
                    n,
                    finalRateShare);
        }

        public Training withFinalRateShare(double share) {
            return new Training(
                    weights,
                    epochs,
                    batchSize,
                    learningRate,
                    warmupFraction,
                    maxGradientNorm,
                    checkpointEvery,
                    trainableBlocks,
                    share);
        }

        /**
         * The learning rate at update {@code t} (1-based) of {@code total}: linear warm-up from a tenth, then
         * a cosine decay to {@code finalRateShare} of the peak at the last step (1: flat).
         */
        public double learningRateAt(int t, int total) {
            int warm = (int) Math.ceil(warmupFraction * total);
            if (t < warm) {
                return learningRate * (0.1 + 0.9 * t / (double) Math.max(1, warm));
            }
            double progress = (t - warm) / (double) Math.max(1, total - warm);
            return learningRate
                    * (finalRateShare + (1 - finalRateShare) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
        }
    }

    /**
     * @param evaluationSamples M responses per context per model at evaluation
     * @param improvementMargin the drifted contexts' mean MAE change (candidate minus current, on the same
     *     prompts and seeds) must have its paired 95% interval wholly below minus this: an improvement that
     *     matters and is established at the n evaluated, not a point estimate that clears it by chance
     * @param healthyTolerance no healthy context's MAE may rise by more than this
     * @param minConsistency the candidate's semantic-consistency rate must reach this
     * @param maxPerplexityRatio held-out perplexity may rise at most this factor (1.05 = 5%)
     */
    public record Gate(
            int evaluationSamples,
            double improvementMargin,
            double healthyTolerance,
            double minConsistency,
            double maxPerplexityRatio) {

        public static Gate defaults() {
            return new Gate(400, 0.01, 0.03, 0.95, 1.05);
        }

        public Gate withEvaluationSamples(int m) {
            return new Gate(m, improvementMargin, healthyTolerance, minConsistency, maxPerplexityRatio);
        }

        public Gate withImprovementMargin(double margin) {
            return new Gate(evaluationSamples, margin, healthyTolerance, minConsistency, maxPerplexityRatio);
        }

        public Gate withHealthyTolerance(double tolerance) {
            return new Gate(evaluationSamples, improvementMargin, tolerance, minConsistency, maxPerplexityRatio);
        }

        public Gate withMinConsistency(double rate) {
            return new Gate(evaluationSamples, improvementMargin, healthyTolerance, rate, maxPerplexityRatio);
        }

        public Gate withMaxPerplexityRatio(double ratio) {
            return new Gate(evaluationSamples, improvementMargin, healthyTolerance, minConsistency, ratio);
        }
    }

    public static CalibrationSettings defaults() {
        return new CalibrationSettings(
                Method.KL_KTO, SetBuilding.defaults(), Training.defaults(), LowRank.defaults(), Gate.defaults(), 11L);
    }

    public CalibrationSettings withMethod(Method m) {
        return new CalibrationSettings(m, set, training, lowRank, gate, seed);
    }

    public CalibrationSettings withSeed(long s) {
        return new CalibrationSettings(method, set, training, lowRank, gate, s);
    }

    public CalibrationSettings withSet(UnaryOperator<SetBuilding> change) {
        return new CalibrationSettings(method, change.apply(set), training, lowRank, gate, seed);
    }

    public CalibrationSettings withTraining(UnaryOperator<Training> change) {
        return new CalibrationSettings(method, set, change.apply(training), lowRank, gate, seed);
    }

    public CalibrationSettings withGate(UnaryOperator<Gate> change) {
        return new CalibrationSettings(method, set, training, lowRank, change.apply(gate), seed);
    }

    public CalibrationSettings withLowRank(UnaryOperator<LowRank> change) {
        return new CalibrationSettings(method, set, training, change.apply(lowRank), gate, seed);
    }
}

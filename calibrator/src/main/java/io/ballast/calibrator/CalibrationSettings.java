package io.ballast.calibrator;

import io.ballast.calibrator.training.CalibrationLoss;

/**
 * How a calibration job runs: the calibration set's size, the loss weights, training and the gate.
 *
 * @param method KL_KTO (the method), or the IFT and DPO baselines on the same data budget
 * @param promptsPerContext training prompts per context (phrasings cycle)
 * @param responsesPerPrompt K responses sampled per prompt
 * @param healthyContexts healthy contexts added to prevent regressions
 * @param evaluationSamples M responses per context per model at evaluation
 * @param improvementMargin drifted contexts' mean MAE must fall by at least this much
 * @param healthyTolerance no healthy context's MAE may rise by more than this
 * @param minConsistency the candidate's semantic-consistency rate must reach this
 * @param maxPerplexityRatio held-out perplexity may rise at most this factor (1.05 = 5%)
 * @param trainableBlocks fine-tune only the top N decoder blocks, final norm and head (0 = every parameter)
 */
public record CalibrationSettings(Method method, CalibrationLoss.Weights weights, int promptsPerContext, int responsesPerPrompt,
                                  int healthyContexts, int steps, int batchSize, float learningRate, int checkpointEvery,
                                  int evaluationSamples, double improvementMargin, double healthyTolerance,
                                  double minConsistency, double maxPerplexityRatio, long seed, int trainableBlocks) {

    public enum Method { KL_KTO, IFT, DPO }

    public static CalibrationSettings defaults() {
        return new CalibrationSettings(Method.KL_KTO, CalibrationLoss.Weights.defaults(), 5, 16, 2, 200, 16, 4e-4f, 50,
                400, 0.02, 0.03, 0.95, 1.05, 11L, 2);
    }

    public CalibrationSettings withMethod(Method m) {
        return new CalibrationSettings(m, weights, promptsPerContext, responsesPerPrompt, healthyContexts, steps, batchSize,
                learningRate, checkpointEvery, evaluationSamples, improvementMargin, healthyTolerance, minConsistency,
                maxPerplexityRatio, seed, trainableBlocks);
    }

    public CalibrationSettings withSteps(int s) {
        return new CalibrationSettings(method, weights, promptsPerContext, responsesPerPrompt, healthyContexts, s, batchSize,
                learningRate, checkpointEvery, evaluationSamples, improvementMargin, healthyTolerance, minConsistency,
                maxPerplexityRatio, seed, trainableBlocks);
    }

    public CalibrationSettings withEvaluationSamples(int m) {
        return new CalibrationSettings(method, weights, promptsPerContext, responsesPerPrompt, healthyContexts, steps, batchSize,
                learningRate, checkpointEvery, m, improvementMargin, healthyTolerance, minConsistency, maxPerplexityRatio, seed, trainableBlocks);
    }

    public CalibrationSettings withSetSize(int prompts, int responses) {
        return new CalibrationSettings(method, weights, prompts, responses, healthyContexts, steps, batchSize, learningRate,
                checkpointEvery, evaluationSamples, improvementMargin, healthyTolerance, minConsistency, maxPerplexityRatio, seed, trainableBlocks);
    }
}

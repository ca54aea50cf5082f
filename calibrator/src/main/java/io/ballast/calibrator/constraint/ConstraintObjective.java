package io.ballast.calibrator.constraint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ballast.calibrator.training.CalibrationExample;
import io.ballast.calibrator.training.CalibrationLoss;
import io.ballast.calibrator.training.Objective;
import io.ballast.generator.model.GraphScalars;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.text.WordTokenizer;
import io.ballast.generator.training.TokenBatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Constraint learning (arXiv 2410.05559) as an objective of the shared loop: on the model's own
 * labelled samples, {@code total = NLL(satisfying samples) + λ · mean_i KL(q*_i ‖ p_θ,i)}, the mean
 * over the response positions of every sample, satisfying or not, where q*_i is the closed-form
 * target {@link ConstrainedDistribution} composes from the frozen reference and a frozen
 * {@link SatisfactionModel}.
 *
 * <p>The KL term is the true divergence, Σ_v q* (log q* − log p_θ): the cross-entropy's gradient
 * (q*'s entropy is a constant), with the value at 0 when the policy matches q*, so the reported
 * {@code kl} reads as a divergence across steps and runs.
 *
 * <p>Cost: q* over the whole vocabulary is (B,T,V) per batch; it is recomputed for each batch (one
 * inference forward of the reference and of R, about a third of the step's forward and backward)
 * rather than stored by {@code prepare}, where it would take rows × response positions × V × 4
 * bytes: 2,000 rows × 40 positions × 321 tokens (the tiny model) = 103 MB, a 32,000-token imported
 * vocabulary 100 times that. Both are frozen, so the values are the same either way; the
 * reference must therefore be another instance than the policy (as every objective's is).
 *
 * <p>R is frozen here: in the parallel scheme the R trained in round k is another instance, and
 * this objective reads the one from round k − 1.
 *
 * <p>Which response positions count, and whether the steering positions are held at the
 * reference instead, is a {@link ResponsePositions} (default {@link ResponsePositions#ALL}). Held
 * at the reference, the steering positions are a term of their own, {@code anchor = mean over
 * steering positions of KL(p_ref ‖ p_θ)}, with weight {@value #ANCHOR_WEIGHT}: inside the mean of
 * every position they weighed 3 in ~40, and three epochs of the demo's job moved one served
 * steering probability by 0.036 (gate tolerance 0.03; one epoch, 0.017).
 *
 * <p>Labels after targets and mask (the KL term's positions): log q* (B,T,V), the rows' labels
 * (B), 1 = satisfied, the positions the NLL counts (B,T), and those held at the reference (B,T).
 */
public final class ConstraintObjective extends Objective {

    /** The anchor's weight: a steering position held as firmly as the KL term holds the text at λ = 1. */
    public static final double ANCHOR_WEIGHT = 1.0;

    private final SatisfactionModel satisfaction;
    private final double lambda;
    private final int batchSize;
    private final long seed;
    private final ResponsePositions positions;
    private LanguageModel reference;
    private List<CalibrationExample> set;
    private EpochBatches batches;
    private int pad;

    /**
     * Trains every response position, steering tokens included ({@link ResponsePositions#ALL}).
     *
     * @param lambda the KL term's weight (the acceptance sweeps 0.1, 0.3, 1, 3)
     */
    public ConstraintObjective(SatisfactionModel satisfaction, double lambda, int batchSize, long seed) {
        this(satisfaction, lambda, batchSize, seed, ResponsePositions.ALL);
    }

    /**
     * @param positions which response positions the NLL and KL terms count: {@link
     *     ResponsePositions#STEERING_AT_REFERENCE} holds the steering tokens, and so the other
     *     attributes, at the reference's distribution
     */
    public ConstraintObjective(
            SatisfactionModel satisfaction, double lambda, int batchSize, long seed, ResponsePositions positions) {
        super("constraint");
        this.satisfaction = satisfaction;
        this.lambda = lambda;
        this.batchSize = batchSize;
        this.seed = seed;
        this.positions = positions;
    }

    @Override
    public void prepare(LanguageModel frozen, List<CalibrationExample> examples) {
        if (examples.stream().noneMatch(CalibrationExample::desirable)) {
            throw new IllegalArgumentException("no satisfying samples among " + examples.size());
        }
        if (frozen.config().vocabularySize() != satisfaction.block().vocabularySize()) {
            throw new IllegalArgumentException(
                    "satisfaction model over " + satisfaction.block().vocabularySize() + " tokens for a model of "
                            + frozen.config().vocabularySize());
        }
        reference = frozen;
        set = examples;
        batches = new EpochBatches(set.size(), batchSize, seed);
        pad = frozen.tokenizer().id(WordTokenizer.PAD);
    }

    @Override
    public int stepsPerEpoch() {
        return batches.stepsPerEpoch();
    }

    @Override
    public Batch batch(NDManager m, int step) {
        ConstraintSamples.LabelledRows rows = ConstraintSamples.LabelledRows.of(
                set, batches.rowsOf(step), reference.config().contextLength());
        int[] promptLength = rows.promptLengths();
        int[] first = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            first[i] = positions.firstInDivergence(promptLength[i]);
        }
        TokenBatch tokens = TokenBatch.of(m, rows.sequences(), first, pad);
        // the teacher at every prefix: the reference's logits and R's, composed in closed form
        NDArray lmLogits =
                Sampler.forward(reference, m, tokens.inputs(), new NDList()).get(0);
        NDArray satisfactionLogits = satisfaction.logits(m, tokens.inputs());
        NDArray logTarget = ConstrainedDistribution.logProbabilities(lmLogits, satisfactionLogits);
        // which counted positions the NLL takes, and where the target is the reference itself
        int b = rows.size();
        int t = (int) tokens.inputs().getShape().get(1);
        float[] mask = tokens.mask().toFloatArray();
        float[] likelihood = new float[b * t];
        float[] atReference = new float[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                if (mask[i * t + j] == 0) {
                    continue;
                }
                likelihood[i * t + j] = positions.inLikelihood(j + 1, promptLength[i]) ? 1f : 0f;
                atReference[i * t + j] = positions.atReference(j + 1, promptLength[i]) ? 1f : 0f;
            }
        }
        if (positions == ResponsePositions.STEERING_AT_REFERENCE) {
            NDArray anchored = m.create(atReference, new Shape(b, t, 1));
            logTarget = logTarget
                    .mul(anchored.neg().add(1f))
                    .add(lmLogits.logSoftmax(-1).mul(anchored));
        }
        return new Batch(
                tokens.inputs(),
                labels(
                        tokens,
                        logTarget.stopGradient(),
                        m.create(rows.satisfied()),
                        m.create(likelihood, new Shape(b, t)),
                        m.create(atReference, new Shape(b, t))));
    }

    @Override
    public Terms terms(NDList labels, NDList predictions) {
        NDArray logP = predictions.head().logSoftmax(-1);
        NDArray targets = labels.get(0);
        NDArray mask = labels.get(1);
        NDArray logTarget = labels.get(2);
        NDArray satisfied = labels.get(3);
        // likelihood of the satisfying samples' response tokens (those the positions count)
        NDArray nllMask = labels.get(4).mul(satisfied.expandDims(1));
        NDArray nll = CalibrationLoss.maskedMean(
                        logP.gather(targets.expandDims(-1), -1).squeeze(-1), nllMask)
                .neg();
        // KL(q* || p_theta) at every counted response prefix of every sample, the anchored ones apart
        NDArray perPosition = CalibrationLoss.divergenceAt(logTarget, logP);
        NDArray anchored = labels.get(5);
        NDArray free = mask.sub(anchored);
        NDArray kl = CalibrationLoss.maskedMean(perPosition, free);
        // KL(p_ref || p_theta) at the steering positions held at the reference (none unless STEERING_AT_REFERENCE)
        NDArray anchor = CalibrationLoss.maskedMean(perPosition, anchored);
        Map<String, NDArray> parts = new LinkedHashMap<>();
        parts.put("nll", nll);
        parts.put("kl", kl);
        parts.put("anchor", anchor);
        return new Terms(nll.add(GraphScalars.mul(kl, lambda)).add(GraphScalars.mul(anchor, ANCHOR_WEIGHT)), parts);
    }
}

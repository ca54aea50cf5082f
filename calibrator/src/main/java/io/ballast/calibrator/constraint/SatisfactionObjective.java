package io.ballast.calibrator.constraint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.ballast.calibrator.training.CalibrationExample;
import io.ballast.calibrator.training.CalibrationLoss;
import io.ballast.calibrator.training.Objective;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.text.WordTokenizer;
import io.ballast.generator.training.TokenBatch;
import java.util.List;
import java.util.Map;

/**
 * Trains the satisfaction model R: binary cross-entropy, at every response position, of R's logit
 * for the token that was sampled next against the sequence's label (prompt and padding masked).
 * Its minimiser is P(satisfied | prefix, next token) under the model that sampled, which is the R
 * the closed-form target needs. The trained block ({@link SatisfactionBlock}) reads the frozen
 * trunk's hidden states; they are computed per batch here, not stored, since they cost one
 * inference forward of a model that is not trained.
 *
 * <p>Labels after targets and mask: the rows' labels (B), 1 = satisfied.
 */
public final class SatisfactionObjective extends Objective {

    private final int batchSize;
    private final long seed;
    private final int layer;
    private LanguageModel trunk;
    private List<CalibrationExample> set;
    private EpochBatches batches;
    private int pad;

    /** @param layer the trunk block whose output R reads (-1: the last) */
    public SatisfactionObjective(int batchSize, long seed, int layer) {
        super("satisfaction");
        this.batchSize = batchSize;
        this.seed = seed;
        this.layer = layer;
    }

    @Override
    public void prepare(LanguageModel frozen, List<CalibrationExample> examples) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no labelled samples to train the satisfaction model on");
        }
        trunk = frozen;
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
                set, batches.rowsOf(step), trunk.config().contextLength());
        // every response position counts: the prompt's end is where the response starts
        TokenBatch tokens = TokenBatch.of(m, rows.sequences(), rows.promptLengths(), pad);
        // the trained block's input: the frozen trunk's states at every position
        NDArray states = SatisfactionModel.states(trunk, m, tokens.inputs(), layer);
        return new Batch(states, labels(tokens, m.create(rows.satisfied())));
    }

    @Override
    public Terms terms(NDList labels, NDList predictions) {
        NDArray bce = binaryCrossEntropy(predictions.head(), labels.get(0), labels.get(1), labels.get(2));
        return new Terms(bce, Map.of());
    }

    /**
     * Mean over counted positions of −[y log σ(z) + (1 − y) log σ(−z)], z the logit at the token that
     * came next.
     *
     * @param logits R's logits (B,T,V)
     * @param next the token at each position's next place (B,T)
     * @param mask 1 where a position counts (B,T)
     * @param satisfied the sequences' labels (B)
     */
    public static NDArray binaryCrossEntropy(NDArray logits, NDArray next, NDArray mask, NDArray satisfied) {
        NDArray z = logits.gather(next.expandDims(-1), -1).squeeze(-1);
        NDArray y = satisfied.expandDims(1);
        NDArray perPosition = y.mul(ConstrainedDistribution.logSigmoid(z))
                .add(y.neg().add(1f).mul(ConstrainedDistribution.logSigmoid(z.neg())))
                .neg();
        return CalibrationLoss.maskedMean(perPosition, mask);
    }
}

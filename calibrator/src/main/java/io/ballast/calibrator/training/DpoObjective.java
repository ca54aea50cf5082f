package io.ballast.calibrator.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;
import io.ballast.generator.model.GraphScalars;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.text.WordTokenizer;
import io.ballast.generator.training.TokenBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The DPO baseline: for pairs of desirable responses to one prompt, prefer the one whose steering
 * value is more under-represented (target share minus the model's share); loss
 * {@code -log sigmoid(beta (delta_chosen - delta_rejected))}, {@code delta = log pi - log pi_ref}.
 * Each step draws max(1, B/2) pairs with replacement; chosen and rejected sit side by side in the
 * batch. Labels after targets and mask: the reference's margin per pair (B/2).
 */
public final class DpoObjective extends Objective {

    private final double beta;
    private final int batchSize;
    private final long seed;
    private List<CalibrationExample> desirable;
    private List<int[]> pairs;
    private double[] refLogp;
    private int pad;

    public DpoObjective(double beta, int batchSize, long seed) {
        super("dpo");
        this.beta = beta;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    @Override
    public void prepare(LanguageModel reference, List<CalibrationExample> set) {
        // anchor rows are the method's own term, not calibration data
        desirable =
                set.stream().filter(CalibrationExample::desirableCalibrationRow).toList();
        pairs = preferencePairs(desirable);
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no usable DPO examples in the calibration set");
        }
        refLogp = sequenceLogProbs(reference, desirable, null);
        pad = reference.tokenizer().id(WordTokenizer.PAD);
    }

    /** As many sequences per epoch as desirable examples (a pair is two), as IFT sees. */
    @Override
    public int stepsPerEpoch() {
        return Math.max(1, (desirable.size() + 2 * pairsPerStep() - 1) / (2 * pairsPerStep()));
    }

    private int pairsPerStep() {
        return Math.max(1, batchSize / 2);
    }

    @Override
    public Batch batch(NDManager m, int step) {
        Random random = IftObjective.stepRandom(seed, step);
        int b = pairsPerStep();
        List<int[]> seqs = new ArrayList<>();
        int[] first = new int[2 * b];
        float[] refMargin = new float[b];
        for (int i = 0; i < b; i++) {
            int[] pair = pairs.get(random.nextInt(pairs.size()));
            CalibrationExample chosen = desirable.get(pair[0]);
            CalibrationExample rejected = desirable.get(pair[1]);
            seqs.add(concat(chosen.promptIds(), chosen.responseIds()));
            seqs.add(concat(rejected.promptIds(), rejected.responseIds()));
            first[2 * i] = chosen.promptIds().length;
            first[2 * i + 1] = rejected.promptIds().length;
            refMargin[i] = (float) (refLogp[pair[0]] - refLogp[pair[1]]);
        }
        TokenBatch tokens = TokenBatch.of(m, seqs, first, pad);
        return new Batch(tokens.inputs(), labels(tokens, m.create(refMargin)));
    }

    @Override
    public Terms terms(NDList labels, NDList predictions) {
        NDArray logits = predictions.head();
        NDArray refMargin = labels.get(2);
        NDArray logp = tokens(labels).sequenceLogProbs(logits).reshape(refMargin.size(), 2);
        NDArray margin =
                logp.get(new NDIndex(":, 0")).sub(logp.get(new NDIndex(":, 1"))).sub(refMargin);
        // -log sigmoid(x) as softplus(-x): log(sigmoid(x)) underflows to -inf (and a NaN gradient) for a large negative
        // margin
        return new Terms(Activation.softPlus(GraphScalars.mul(margin, -beta)).mean(), Map.of());
    }

    /**
     * (chosen, rejected) indices: same prompt, the chosen response's steering values together more
     * under-represented (target share minus the model's share, summed over the calibrated attributes).
     */
    static List<int[]> preferencePairs(List<CalibrationExample> examples) {
        List<int[]> pairs = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            for (int j = 0; j < examples.size(); j++) {
                CalibrationExample a = examples.get(i);
                CalibrationExample b = examples.get(j);
                if (i == j || !a.prompt().equals(b.prompt())) {
                    continue;
                }
                if (wanted(a) > wanted(b) + 1e-9 && pairs.size() < 20_000) {
                    pairs.add(new int[] {i, j});
                }
            }
        }
        return pairs;
    }

    private static double wanted(CalibrationExample e) {
        double sum = 0;
        for (SteeringTarget s : e.steering()) {
            int slot = s.slotOf(e.responseIds()[s.position()]);
            if (slot >= 0) {
                sum += s.target()[slot] - s.modelShare()[slot];
            }
        }
        return sum;
    }
}

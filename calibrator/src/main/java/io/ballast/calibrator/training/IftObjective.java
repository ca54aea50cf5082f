package io.ballast.calibrator.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.text.WordTokenizer;
import io.ballast.generator.training.NextTokenLoss;
import io.ballast.generator.training.TokenBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The IFT baseline: supervised fine-tuning (next-token likelihood of the response) on the
 * desirable examples, whose steering tokens were drawn to match the target. Same calibration set
 * as the method (same data budget); each step draws B desirable rows with replacement.
 */
public final class IftObjective extends Objective {

    private final int batchSize;
    private final long seed;
    private List<CalibrationExample> desirable;
    private int pad;

    public IftObjective(int batchSize, long seed) {
        super("ift");
        this.batchSize = batchSize;
        this.seed = seed;
    }

    @Override
    public void prepare(LanguageModel reference, List<CalibrationExample> set) {
        // anchor rows are the method's own term, not calibration data
        desirable =
                set.stream().filter(CalibrationExample::desirableCalibrationRow).toList();
        if (desirable.isEmpty()) {
            throw new IllegalArgumentException("no usable IFT examples in the calibration set");
        }
        pad = reference.tokenizer().id(WordTokenizer.PAD);
    }

    @Override
    public int stepsPerEpoch() {
        return Math.max(1, (desirable.size() + batchSize - 1) / batchSize);
    }

    @Override
    public Batch batch(NDManager m, int step) {
        Random random = stepRandom(seed, step);
        List<int[]> seqs = new ArrayList<>();
        int[] first = new int[batchSize];
        for (int i = 0; i < batchSize; i++) {
            CalibrationExample e = desirable.get(random.nextInt(desirable.size()));
            seqs.add(concat(e.promptIds(), e.responseIds()));
            first[i] = e.promptIds().length;
        }
        TokenBatch tokens = TokenBatch.of(m, seqs, first, pad);
        return new Batch(tokens.inputs(), labels(tokens));
    }

    @Override
    public Terms terms(NDList labels, NDList predictions) {
        NDArray logits = predictions.head();
        NDArray nll = NextTokenLoss.meanNll(labels, logits);
        return new Terms(nll, Map.of());
    }

    /** Draws of a step depend on the seed and the step only, so a resumed run draws what it would have. */
    static Random stepRandom(long seed, int step) {
        return new Random(seed * 1_000_003L + step);
    }
}

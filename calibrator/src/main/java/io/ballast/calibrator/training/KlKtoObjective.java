package io.ballast.calibrator.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.text.WordTokenizer;
import io.ballast.generator.training.TokenBatch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The method: {@link CalibrationLoss} (steering-token KL + KTO) against the frozen reference.
 * Each step's minibatch holds B rows of the calibration set and their B mismatched pairs, in one
 * forward pass; rows are taken in a seeded order, cycling, so step n always sees the same rows.
 *
 * <p>Labels after targets and mask: reference log p(y|x) (B), reference log p(y'|x) of the
 * mismatched pairs (B), desirable flags (B), targets (B,K), the flat logit rows of the steering
 * positions (B) and the K steering token ids (B,K).
 */
public final class KlKtoObjective extends Objective {

    private final CalibrationLoss.Weights weights;
    private final int batchSize;
    private final long seed;
    private List<CalibrationExample> set;
    private List<Integer> order;
    private int[] partner;
    private double[] refLogp;
    private double[] refMismatchLogp;
    private int pad;
    private int contextLength;

    public KlKtoObjective(CalibrationLoss.Weights weights, int batchSize, long seed) {
        super("kl-kto");
        this.weights = weights;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    @Override
    public void prepare(LanguageModel reference, List<CalibrationExample> examples) {
        if (examples.size() < 2) {
            throw new IllegalArgumentException(
                    "calibration set has " + examples.size() + " usable examples: need at least 2");
        }
        set = examples;
        order = new ArrayList<>();
        for (int i = 0; i < set.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        // a fixed derangement: each example's response paired with another example's prompt
        partner = new int[set.size()];
        for (int i = 0; i < order.size(); i++) {
            partner[order.get(i)] = order.get((i + 1) % order.size());
        }
        refLogp = sequenceLogProbs(reference, set, null);
        refMismatchLogp = sequenceLogProbs(reference, set, partner);
        pad = reference.tokenizer().id(WordTokenizer.PAD);
        contextLength = reference.config().contextLength();
    }

    @Override
    public Batch batch(NDManager m, int step) {
        int b = Math.min(batchSize, set.size());
        int[] rows = new int[b];
        for (int i = 0; i < b; i++) {
            rows[i] = order.get(((step - 1) * b + i) % order.size());
        }
        List<int[]> sequences = new ArrayList<>(2 * b);
        int[] first = new int[2 * b];
        for (int i = 0; i < b; i++) {
            CalibrationExample e = set.get(rows[i]);
            sequences.add(concat(e.promptIds(), e.responseIds()));
            first[i] = e.promptIds().length;
        }
        for (int i = 0; i < b; i++) {
            CalibrationExample e = set.get(rows[i]);
            sequences.add(pair(e.promptIds(), set.get(partner[rows[i]]).responseIds(), contextLength));
            first[b + i] = e.promptIds().length;
        }
        TokenBatch tokens = TokenBatch.of(m, sequences, first, pad);
        long t = tokens.inputs().getShape().get(1);
        int k = CalibrationSetBuilder.MAX_CATEGORIES;
        long[] flatRows = new long[b];
        long[] tokenIds = new long[b * k];
        float[] target = new float[b * k];
        for (int i = 0; i < b; i++) {
            CalibrationExample e = set.get(rows[i]);
            // logits at input position p predict token p+1: the steering token sits at promptLen + pos
            flatRows[i] = i * t + e.promptIds().length - 1 + e.steeringPosition();
            for (int c = 0; c < k; c++) {
                tokenIds[i * k + c] = e.steeringTokenIds()[c];
                target[i * k + c] = (float) e.target()[c];
            }
        }
        return new Batch(
                tokens.inputs(),
                labels(
                        tokens,
                        constant(m, rows, refLogp),
                        constant(m, rows, refMismatchLogp),
                        flags(m, rows),
                        m.create(target, new Shape(b, k)),
                        m.create(flatRows),
                        m.create(tokenIds, new Shape(b, k))));
    }

    @Override
    public Terms terms(NDList labels, NDArray logits) {
        NDArray refPolicy = labels.get(2);
        int b = Math.toIntExact(refPolicy.size());
        NDArray seqLogp = tokens(labels).sequenceLogProbs(logits);
        long v = logits.getShape().get(2);
        NDArray selected = logits.reshape(-1, v).get(new NDIndex("{}", labels.get(6))); // (B,V)
        NDArray steeringLogProbs = selected.logSoftmax(-1).gather(labels.get(7), 1);
        CalibrationLoss.Terms t = CalibrationLoss.compute(
                weights,
                seqLogp.get(new NDIndex("0:" + b)),
                refPolicy,
                seqLogp.get(new NDIndex(b + ":")),
                labels.get(3),
                labels.get(4),
                steeringLogProbs,
                labels.get(5),
                refPolicy.getManager().ones(new Shape(b), DataType.FLOAT32));
        return new Terms(t.total(), Map.of("kl", t.kl(), "kto", t.kto()));
    }

    private NDArray flags(NDManager m, int[] rows) {
        float[] f = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            f[i] = set.get(rows[i]).desirable() ? 1f : 0f;
        }
        return m.create(f);
    }

    private static NDArray constant(NDManager m, int[] rows, double[] values) {
        float[] f = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            f[i] = (float) values[rows[i]];
        }
        return m.create(f);
    }
}

package io.ballast.calibrator.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.ballast.generator.model.GraphScalars;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.text.WordTokenizer;
import io.ballast.generator.training.TokenBatch;
import io.ballast.schemas.domain.Attribute;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The method: {@link CalibrationLoss} (joint steering-token KL + KTO, and the anchor) against the frozen reference.
 * Training goes by epochs: each epoch visits every row once, in an order drawn from the seed and
 * the epoch, B rows per step (the epoch's last step takes the remainder). Each row's mismatched
 * pair, for KTO's reference point, is its prompt with the next row's response in the same batch,
 * so the pairs are redrawn every epoch; their reference log-probabilities are computed when the
 * epoch starts. Batches are a function of the step, so a resumed run sees the batches it would have.
 *
 * <p>Labels after targets and mask: reference log p(y|x) (B), reference log p(y'|x) of the
 * mismatched pairs (B), desirable flags (B), targets (B,A,K), the flat logit rows of every
 * attribute's steering position (B*A), the steering token ids (B,A,K), the KL mask (B,A: a
 * desirable row's calibrated attributes), the valid-value mask (B,A,K), the reference's
 * log-probabilities at the anchor rows' positions (N,T,V; N may be 0) and their text positions (N,T).
 *
 * <p>The inputs are the B rows, their B mismatched pairs, then the step's N anchor rows
 * ({@link CalibrationExample.Origin#ANCHOR}: occupations outside the job, an equal share each
 * step, each once an epoch), whose text the anchor term holds at the reference.
 */
public final class KlKtoObjective extends Objective {

    private static final int ATTRIBUTES = Attribute.values().length;

    private final CalibrationLoss.Weights configured;
    private CalibrationLoss.Weights weights;
    private final int batchSize;
    private final long seed;
    private LanguageModel reference;
    private List<CalibrationExample> set;
    private List<CalibrationExample> anchors;
    private List<Integer> anchorOrder;
    private double[] refLogp;
    private int pad;
    private int contextLength;
    private int epochInMemory = -1;
    private List<Integer> epochOrder;
    private double[] epochMismatchLogp;

    public KlKtoObjective(CalibrationLoss.Weights weights, int batchSize, long seed) {
        super("kl-kto");
        this.configured = weights;
        this.weights = weights;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    @Override
    public void prepare(LanguageModel frozen, List<CalibrationExample> examples) {
        set = examples.stream().filter(e -> !e.anchor()).toList();
        anchors = examples.stream().filter(CalibrationExample::anchor).toList();
        if (set.size() < 2) {
            throw new IllegalArgumentException(
                    "calibration set has " + set.size() + " usable examples: need at least 2");
        }
        reference = frozen;
        // the set builder swaps tokens to bring undesirable rows up to desirable ones; where the model's own
        // contradictions already outnumber them, KTO's guidance (lambda_D n_D / lambda_U n_U >= 1) is met by weight
        long desirable = set.stream().filter(CalibrationExample::desirable).count();
        long undesirable = set.size() - desirable;
        double scale = undesirable > desirable && desirable > 0 ? desirable / (double) undesirable : 1.0;
        weights = new CalibrationLoss.Weights(
                configured.beta(),
                configured.lambdaDesirable(),
                configured.lambdaUndesirable() * scale,
                configured.lambdaKl(),
                configured.lambdaAnchor());
        refLogp = sequenceLogProbs(reference, set, null);
        pad = reference.tokenizer().id(WordTokenizer.PAD);
        contextLength = reference.config().contextLength();
        epochInMemory = -1;
    }

    @Override
    public int stepsPerEpoch() {
        return Math.max(1, set.size() / rowsPerStep());
    }

    @Override
    public Batch batch(NDManager m, int step) {
        int epoch = (step - 1) / stepsPerEpoch();
        int within = (step - 1) % stepsPerEpoch();
        enterEpoch(epoch);
        int[] rows = rowsOf(within);
        int b = rows.length;
        List<CalibrationExample> anchored = anchorsOf(within);
        List<int[]> sequences = new ArrayList<>(2 * b + anchored.size());
        int[] first = new int[2 * b + anchored.size()];
        for (int i = 0; i < b; i++) {
            CalibrationExample e = set.get(rows[i]);
            sequences.add(concat(e.promptIds(), e.responseIds()));
            first[i] = e.promptIds().length;
        }
        for (int i = 0; i < b; i++) {
            CalibrationExample e = set.get(rows[i]);
            sequences.add(pair(e.promptIds(), set.get(rows[(i + 1) % b]).responseIds(), contextLength));
            first[b + i] = e.promptIds().length;
        }
        for (int i = 0; i < anchored.size(); i++) {
            CalibrationExample e = anchored.get(i);
            sequences.add(concat(e.promptIds(), e.responseIds()));
            first[2 * b + i] = e.promptIds().length;
        }
        TokenBatch tokens = TokenBatch.of(m, sequences, first, pad);
        long t = tokens.inputs().getShape().get(1);
        // the anchor's teacher: the reference at every response position of the anchor rows
        NDArray anchorLogProbs = anchored.isEmpty()
                ? m.zeros(new Shape(0, t, 1))
                : Sampler.forward(reference, m, tokens.inputs().get(new NDIndex(2 * b + ":")), new NDList())
                        .get(0)
                        .logSoftmax(-1)
                        .stopGradient();
        // the anchor holds their text, not their steering tokens: the steering distributions of every occupation
        // come from the same weights, and holding the others' at the reference held the job's back too
        float[] responseMask = tokens.mask().toFloatArray();
        float[] textMask = new float[anchored.size() * (int) t];
        for (int i = 0; i < anchored.size(); i++) {
            int row = 2 * b + i;
            for (int j = 0; j < t; j++) {
                // input position j predicts token j+1
                boolean text = j + 1 >= first[row] + ATTRIBUTES;
                textMask[i * (int) t + j] = text ? responseMask[row * (int) t + j] : 0f;
            }
        }
        int k = CalibrationSetBuilder.MAX_CATEGORIES;
        long[] flatRows = new long[b * ATTRIBUTES];
        long[] tokenIds = new long[b * ATTRIBUTES * k];
        float[] target = new float[b * ATTRIBUTES * k];
        float[] valid = new float[b * ATTRIBUTES * k];
        float[] klMask = new float[b * ATTRIBUTES];
        float[] mismatch = new float[b];
        for (int i = 0; i < b; i++) {
            CalibrationExample e = set.get(rows[i]);
            mismatch[i] = (float) epochMismatchLogp[rows[i]];
            for (int a = 0; a < ATTRIBUTES; a++) {
                // logits at input position p predict token p+1: a steering token at response position s sits at
                // promptLen + s
                flatRows[i * ATTRIBUTES + a] = i * t + e.promptIds().length - 1 + a;
            }
            for (SteeringTarget s : e.steering()) {
                int a = s.attribute().ordinal();
                klMask[i * ATTRIBUTES + a] = e.desirable() ? 1f : 0f;
                for (int c = 0; c < k; c++) {
                    int slot = (i * ATTRIBUTES + a) * k + c;
                    tokenIds[slot] = s.tokenIds()[c];
                    target[slot] = (float) s.target()[c];
                    valid[slot] = s.valid(c) ? 1f : 0f;
                }
            }
        }
        return new Batch(
                tokens.inputs(),
                labels(
                        tokens,
                        constant(m, rows, refLogp),
                        m.create(mismatch),
                        flags(m, rows),
                        m.create(target, new Shape(b, ATTRIBUTES, k)),
                        m.create(flatRows),
                        m.create(tokenIds, new Shape(b, ATTRIBUTES, k)),
                        m.create(klMask, new Shape(b, ATTRIBUTES)),
                        m.create(valid, new Shape(b, ATTRIBUTES, k)),
                        anchorLogProbs,
                        m.create(textMask, new Shape(anchored.size(), t))));
    }

    @Override
    public Terms terms(NDList labels, NDList predictions) {
        NDArray logits = predictions.head();
        NDArray refPolicy = labels.get(2);
        int b = Math.toIntExact(refPolicy.size());
        int k = CalibrationSetBuilder.MAX_CATEGORIES;
        NDArray seqLogp = tokens(labels).sequenceLogProbs(logits);
        long v = logits.getShape().get(2);
        NDArray selected = logits.reshape(-1, v).get(new NDIndex("{}", labels.get(6))); // (B*A,V)
        NDArray steeringLogProbs = selected.logSoftmax(-1)
                .gather(labels.get(7).reshape(b * ATTRIBUTES, k), 1)
                .reshape(b, ATTRIBUTES, k);
        CalibrationLoss.Terms t = CalibrationLoss.compute(
                weights,
                seqLogp.get(new NDIndex("0:" + b)),
                refPolicy,
                seqLogp.get(new NDIndex(b + ":" + 2 * b)),
                labels.get(3),
                labels.get(4),
                steeringLogProbs,
                labels.get(5),
                labels.get(8),
                labels.get(9));
        NDArray total = t.total();
        Map<String, NDArray> parts = new LinkedHashMap<>();
        parts.put("kl", t.kl());
        parts.put("klServed", t.klServed());
        parts.put("kto", t.kto());
        NDArray anchorLogProbs = labels.get(10);
        if (anchorLogProbs.getShape().get(0) > 0) {
            NDArray anchor = CalibrationLoss.anchor(
                    anchorLogProbs, logits.get(new NDIndex(2 * b + ":")).logSoftmax(-1), labels.get(11));
            parts.put("anchor", anchor);
            total = total.add(GraphScalars.mul(anchor, weights.lambdaAnchor()));
        }
        return new Terms(total, parts);
    }

    private int rowsPerStep() {
        return Math.max(2, Math.min(batchSize, set.size()));
    }

    /** The rows of the epoch's {@code within}-th step; the last step of an epoch takes the remainder. */
    private int[] rowsOf(int within) {
        int b = rowsPerStep();
        int from = within * b;
        int to = within == stepsPerEpoch() - 1 ? set.size() : from + b;
        int[] rows = new int[to - from];
        for (int i = from; i < to; i++) {
            rows[i - from] = epochOrder.get(i);
        }
        return rows;
    }

    /** The anchor rows of the epoch's {@code within}-th step: an equal share of them each step, each once an epoch. */
    private List<CalibrationExample> anchorsOf(int within) {
        if (anchors.isEmpty()) {
            return List.of();
        }
        int share = (anchors.size() + stepsPerEpoch() - 1) / stepsPerEpoch();
        int from = Math.min(anchors.size(), within * share);
        int to = Math.min(anchors.size(), from + share);
        return anchorOrder.subList(from, to).stream().map(anchors::get).toList();
    }

    /** Draws the epoch's order and computes the reference log-probabilities of its mismatched pairs. */
    private void enterEpoch(int epoch) {
        if (epoch == epochInMemory) {
            return;
        }
        anchorOrder = new ArrayList<>();
        for (int i = 0; i < anchors.size(); i++) {
            anchorOrder.add(i);
        }
        Collections.shuffle(anchorOrder, new Random(seed * 1_000_033L + epoch));
        epochOrder = new ArrayList<>();
        for (int i = 0; i < set.size(); i++) {
            epochOrder.add(i);
        }
        Collections.shuffle(epochOrder, new Random(seed * 1_000_003L + epoch));
        int[] partner = new int[set.size()];
        for (int s = 0; s < stepsPerEpoch(); s++) {
            int[] rows = rowsOf(s);
            for (int i = 0; i < rows.length; i++) {
                partner[rows[i]] = rows[(i + 1) % rows.length];
            }
        }
        epochMismatchLogp = sequenceLogProbs(reference, set, partner);
        epochInMemory = epoch;
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

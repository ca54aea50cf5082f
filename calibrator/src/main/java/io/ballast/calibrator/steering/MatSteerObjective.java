package io.ballast.calibrator.steering;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.ballast.calibrator.training.CalibrationExample;
import io.ballast.calibrator.training.CalibrationLoss;
import io.ballast.calibrator.training.CalibrationSetBuilder;
import io.ballast.calibrator.training.Objective;
import io.ballast.calibrator.training.SteeringTarget;
import io.ballast.generator.model.GraphScalars;
import io.ballast.generator.model.LanguageModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * MAT-Steer's loss for steering-token attributes, over a {@link SteeringBlock}: the model is
 * frozen, so each row is a hidden state at one steering position (after the last block, computed
 * once in {@link #prepare}) with that attribute's target. Terms, as in the paper but with its MMD
 * alignment replaced (no context need be on target, so there may be no positive set):
 * <ul>
 *   <li>alignment: KL(target ‖ the attribute's served distribution under the steered state), on
 *       drifted contexts' rows;
 *   <li>sparsity: mean gate on drifted rows (only the gates that help stay open);
 *   <li>preservation: on healthy contexts' rows and on text positions of every row (after the
 *       steering tokens, where nothing is to be steered), KL(unsteered ‖ steered) over the whole
 *       vocabulary. The paper penalises the mean squared gate; with the sparsity term favouring small
 *       gates on long vectors, that left a healthy context's distribution moving by a third of what
 *       the drifted one gained (tiny model, one of each), and penalising the squared displacement
 *       instead still let healthy contexts move by 0.17-0.30 MAE (a small step through the head
 *       moves the output a lot);
 *   <li>orthogonality: Σ_{i<j} cos²(θ_i, θ_j), so fixing one attribute does not move another.
 * </ul>
 * Rows are the sampled rows of a calibration set (steering tokens drawn from the
 * targets), so the conditional positions are trained at target-drawn prefixes, as KL+KTO does.
 */
public final class MatSteerObjective extends Objective {

    /** The terms' weights; the paper's are 1.0 / 0.9 / 0.9 / 0.1. */
    public record Weights(double alignment, double sparsity, double preservation, double orthogonality) {
        public static Weights paper() {
            return new Weights(1.0, 0.9, 0.9, 0.1);
        }

        public Weights withPreservation(double w) {
            return new Weights(alignment, sparsity, w, orthogonality);
        }
    }

    /** Text positions after the steering tokens that rows may be drawn from, and how many per example. */
    static final int TEXT_WINDOW = 8;

    static final int TEXT_ROWS_PER_EXAMPLE = 2;

    private final Weights weights;
    private final int gateLayer;
    private final Set<String> healthy;
    private final int batchSize;
    private final long seed;
    private float[][] hidden;
    private float[][] target;
    private long[][] tokenIds;
    private float[][] valid;
    private float[] isHealthy;
    private int epochInMemory = -1;
    private List<Integer> order;

    public MatSteerObjective(Weights weights, Set<String> healthyContexts, int batchSize, long seed) {
        this(weights, healthyContexts, batchSize, seed, -1);
    }

    /** @param gateLayer the block whose output the gates read (-1: the last, the state they steer) */
    public MatSteerObjective(Weights weights, Set<String> healthyContexts, int batchSize, long seed, int gateLayer) {
        super("mat-steer");
        this.gateLayer = gateLayer;
        this.weights = weights;
        this.healthy = Set.copyOf(healthyContexts);
        this.batchSize = batchSize;
        this.seed = seed;
    }

    @Override
    public void prepare(LanguageModel frozen, List<CalibrationExample> set) {
        List<CalibrationExample> rows = set.stream()
                .filter(e -> e.origin() == CalibrationExample.Origin.SAMPLED)
                .toList();
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no sampled rows to fit steering vectors on");
        }
        int k = CalibrationSetBuilder.MAX_CATEGORIES;
        List<float[]> h = new ArrayList<>();
        List<float[]> t = new ArrayList<>();
        List<long[]> ids = new ArrayList<>();
        List<float[]> v = new ArrayList<>();
        List<Float> hl = new ArrayList<>();
        // rows of one prompt length share a batch: one forward pass gives every steering position's state
        Map<Integer, List<CalibrationExample>> byLength = new LinkedHashMap<>();
        for (CalibrationExample e : rows) {
            byLength.computeIfAbsent(e.promptIds().length, x -> new ArrayList<>())
                    .add(e);
        }
        int width = frozen.config().width();
        Random textPositions = new Random(seed);
        for (Map.Entry<Integer, List<CalibrationExample>> group : byLength.entrySet()) {
            int promptLength = group.getKey();
            List<CalibrationExample> g = group.getValue();
            int positions = g.stream()
                    .flatMap(e -> e.steering().stream())
                    .mapToInt(SteeringTarget::position)
                    .max()
                    .orElse(0);
            // the prompt, the steering tokens, and a window of text positions every row of the group has
            int shortest =
                    g.stream().mapToInt(e -> e.responseIds().length).min().orElse(0);
            int length = promptLength + Math.max(positions, Math.min(shortest, positions + 1 + TEXT_WINDOW));
            long[] flat = new long[g.size() * length];
            for (int i = 0; i < g.size(); i++) {
                int[] prompt = g.get(i).promptIds();
                int[] response = g.get(i).responseIds();
                for (int j = 0; j < length; j++) {
                    flat[i * length + j] = j < promptLength ? prompt[j] : response[j - promptLength];
                }
            }
            float[] states;
            float[] gateStates = null;
            try (NDManager m = frozen.manager().newSubManager()) {
                NDArray input =
                        m.create(flat, new Shape(g.size(), length)).toType(ai.djl.ndarray.types.DataType.INT32, false);
                states = frozen.block()
                        .hiddenAfter(new ParameterStore(m, false), input, -1)
                        .toFloatArray();
                if (gateLayer >= 0) {
                    gateStates = frozen.block()
                            .hiddenAfter(new ParameterStore(m, false), input, gateLayer)
                            .toFloatArray();
                }
            }
            for (int i = 0; i < g.size(); i++) {
                CalibrationExample e = g.get(i);
                for (SteeringTarget s : e.steering()) {
                    // the state that predicts the token at response position p sits at promptLength - 1 + p
                    int at = promptLength - 1 + s.position();
                    h.add(row(states, gateStates, i * length + at, width));
                    float[] tt = new float[k];
                    long[] id = new long[k];
                    float[] vv = new float[k];
                    for (int c = 0; c < k; c++) {
                        tt[c] = (float) s.target()[c];
                        id[c] = s.tokenIds()[c];
                        vv[c] = s.valid(c) ? 1f : 0f;
                    }
                    t.add(tt);
                    ids.add(id);
                    v.add(vv);
                    hl.add(healthy.contains(e.contextKey()) ? 1f : 0f);
                }
                // text positions of every context: steering after the last block acts there too, so the
                // gates must stay shut on them or the words stop agreeing with the steering tokens
                for (int n = 0; n < TEXT_ROWS_PER_EXAMPLE && length - promptLength > positions; n++) {
                    int p = positions + 1 + textPositions.nextInt(length - promptLength - positions);
                    int at = promptLength - 1 + p;
                    h.add(row(states, gateStates, i * length + at, width));
                    t.add(new float[k]);
                    ids.add(new long[k]);
                    v.add(new float[k]);
                    hl.add(1f);
                }
            }
        }
        hidden = h.toArray(new float[0][]);
        target = t.toArray(new float[0][]);
        tokenIds = ids.toArray(new long[0][]);
        valid = v.toArray(new float[0][]);
        isHealthy = new float[hl.size()];
        for (int i = 0; i < isHealthy.length; i++) {
            isHealthy[i] = hl.get(i);
        }
        epochInMemory = -1;
    }

    /** The state at a position, followed by the gates' state there when they read another block's. */
    private static float[] row(float[] states, float[] gateStates, int position, int width) {
        float[] h = Arrays.copyOfRange(states, position * width, (position + 1) * width);
        if (gateStates == null) {
            return h;
        }
        float[] both = Arrays.copyOf(h, 2 * width);
        System.arraycopy(gateStates, position * width, both, width, width);
        return both;
    }

    /** Rows: one per sampled row and calibrated attribute, plus the text rows. */
    public int rows() {
        return hidden.length;
    }

    @Override
    public int stepsPerEpoch() {
        return Math.max(1, (hidden.length + batchSize - 1) / batchSize);
    }

    @Override
    public Batch batch(NDManager m, int step) {
        int epoch = (step - 1) / stepsPerEpoch();
        if (epoch != epochInMemory) {
            order = new ArrayList<>();
            for (int i = 0; i < hidden.length; i++) {
                order.add(i);
            }
            Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
            epochInMemory = epoch;
        }
        int from = ((step - 1) % stepsPerEpoch()) * batchSize;
        List<Integer> rows = order.subList(from, Math.min(hidden.length, from + batchSize));
        int b = rows.size();
        int width = hidden[0].length;
        int k = target[0].length;
        float[] h = new float[b * width];
        float[] t = new float[b * k];
        long[] id = new long[b * k];
        float[] v = new float[b * k];
        float[] hl = new float[b];
        for (int i = 0; i < b; i++) {
            int r = rows.get(i);
            System.arraycopy(hidden[r], 0, h, i * width, width);
            System.arraycopy(target[r], 0, t, i * k, k);
            System.arraycopy(tokenIds[r], 0, id, i * k, k);
            System.arraycopy(valid[r], 0, v, i * k, k);
            hl[i] = isHealthy[r];
        }
        return new Batch(
                m.create(h, new Shape(b, width)),
                new NDList(
                        m.create(t, new Shape(b, k)),
                        m.create(id, new Shape(b, k)),
                        m.create(v, new Shape(b, k)),
                        m.create(hl)));
    }

    @Override
    public Terms terms(NDList labels, NDList predictions) {
        NDArray logits = predictions.get(0);
        NDArray gates = predictions.get(1);
        NDArray theta = predictions.get(2);
        NDArray t = labels.get(0);
        NDArray valid = labels.get(2);
        NDArray healthyRows = labels.get(3);
        NDArray driftedRows = healthyRows.neg().add(1f);
        // the served distribution: softmax over the attribute's tokens only (padding slots pushed to -inf)
        NDArray selected = logits.gather(labels.get(1), 1).add(GraphScalars.mul(valid.sub(1f), 1e9));
        NDArray logq = selected.logSoftmax(1);
        NDArray kl =
                t.mul(GraphScalars.maximum(t, 1e-12).log().sub(logq)).mul(valid).sum(new int[] {1});
        NDArray alignment = CalibrationLoss.maskedMean(kl, driftedRows);
        NDArray sparsity = CalibrationLoss.maskedMean(gates.mean(new int[] {1}), driftedRows);
        // what the steering does to the output, not the paper's mean g²: a small gate on a long vector, or a
        // small displacement through a sensitive head, still moves a healthy distribution
        NDArray logBase = predictions.get(3).logSoftmax(1);
        NDArray preservation =
                CalibrationLoss.maskedMean(CalibrationLoss.divergenceAt(logBase, logits.logSoftmax(1)), healthyRows);
        NDArray unit = theta.div(theta.square().sum(new int[] {1}, true).sqrt().add(1e-12f));
        NDArray cos = unit.matMul(unit.transpose());
        long a = theta.getShape().get(0);
        NDArray orthogonality = GraphScalars.div(cos.square().sum().sub(a), 2);
        NDArray total = GraphScalars.mul(alignment, weights.alignment())
                .add(GraphScalars.mul(sparsity, weights.sparsity()))
                .add(GraphScalars.mul(preservation, weights.preservation()))
                .add(GraphScalars.mul(orthogonality, weights.orthogonality()));
        Map<String, NDArray> parts = new LinkedHashMap<>();
        parts.put("alignment", alignment);
        parts.put("sparsity", sparsity);
        parts.put("preservation", preservation);
        parts.put("orthogonality", orthogonality);
        return new Terms(total, parts);
    }
}

package io.ballast.calibrator.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import io.ballast.generator.model.CausalLanguageModel;
import io.ballast.generator.model.LoraAdapter;
import io.ballast.generator.model.LowRankAdapters;
import io.ballast.generator.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The trainable part of LoRA calibration: per layer and target projection (q_proj, v_proj), Aᵀ
 * (width, rank) and Bᵀ (rank, out) over a frozen Llama-family model. Its forward pass is the frozen
 * model's under these adapters, so every {@link Objective} trains through it unchanged. B starts at
 * zero, as in the LoRA paper, so step 0 is the frozen model exactly; or both start from the adapter
 * the current version already has, so a job continues from what is served.
 *
 * <p>It also trains deltas on the rows of the tokens Ballast added to the vocabulary (PEFT's
 * trainable tokens): those rows start equal, the mean of the others, and neither the steering
 * tokens' probabilities nor what the text does after each could differ without them.
 */
public final class LoraBlock extends AbstractBlock {

    private final CausalLanguageModel frozen;
    private final int rank;
    private final float alpha;
    private final Set<String> targets;
    /** Per layer: Aᵀ and Bᵀ of q_proj, then of v_proj; null where not a target. */
    private final List<Parameter[]> layers = new ArrayList<>();

    private final LoraAdapter start;
    private final int[] tokenIds;
    private final Parameter tokenEmbedding;
    private final Parameter tokenHeadTransposed;
    private NDArray tokenIdArray;
    private NDArray placement;

    /**
     * @param tokenIds the added tokens whose rows train too (empty: none)
     * @param start the adapter to continue from, or null to start at the frozen model
     */
    public LoraBlock(
            CausalLanguageModel frozen, int rank, float alpha, Set<String> targets, int[] tokenIds, LoraAdapter start) {
        ModelConfig config = frozen.config();
        if (!config.llamaFamily()) {
            throw new IllegalArgumentException("LoRA calibration needs a Llama-family model");
        }
        this.frozen = frozen;
        this.rank = start == null ? rank : start.rank();
        this.alpha = start == null ? alpha : start.alpha();
        this.targets = start == null ? Set.copyOf(targets) : start.targets();
        this.start = start;
        int width = config.width();
        int headWidth = config.headWidth();
        int[] outs = {config.heads() * headWidth, config.architecture().kvHeads() * headWidth};
        for (int i = 0; i < config.layers(); i++) {
            Parameter[] layer = new Parameter[4];
            for (int p = 0; p < 2; p++) {
                if (!this.targets.contains(LoraAdapter.PROJECTIONS.get(p))) {
                    continue;
                }
                String name = "layer" + i + "_" + LoraAdapter.PROJECTIONS.get(p);
                // A like a fan-in-scaled projection, B zero: the adapter's first update starts from the frozen model
                layer[2 * p] = addParameter(Parameter.builder()
                        .setName(name + "_aT")
                        .setType(Parameter.Type.WEIGHT)
                        .optInitializer(new NormalInitializer((float) (1 / Math.sqrt(width))))
                        .optShape(new Shape(width, this.rank))
                        .build());
                layer[2 * p + 1] = addParameter(Parameter.builder()
                        .setName(name + "_bT")
                        .setType(Parameter.Type.WEIGHT)
                        .optInitializer(new ConstantInitializer(0f))
                        .optShape(new Shape(this.rank, outs[p]))
                        .build());
            }
            layers.add(layer);
        }
        this.tokenIds =
                start != null && start.tokenRows() != null ? start.tokenRows().ids() : tokenIds.clone();
        int k = this.tokenIds.length;
        this.tokenEmbedding = k == 0
                ? null
                : addParameter(Parameter.builder()
                        .setName("tokenEmbedding")
                        .setType(Parameter.Type.WEIGHT)
                        .optInitializer(new ConstantInitializer(0f))
                        .optShape(new Shape(k, width))
                        .build());
        this.tokenHeadTransposed = k == 0
                ? null
                : addParameter(Parameter.builder()
                        .setName("tokenHead")
                        .setType(Parameter.Type.WEIGHT)
                        .optInitializer(new ConstantInitializer(0f))
                        .optShape(new Shape(width, k))
                        .build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.head();
        float scale = alpha / rank;
        List<LowRankAdapters.Layer> adapters = new ArrayList<>();
        for (Parameter[] layer : layers) {
            adapters.add(new LowRankAdapters.Layer(
                    pair(ps, ids, layer[0], layer[1], scale, training),
                    pair(ps, ids, layer[2], layer[3], scale, training)));
        }
        LowRankAdapters.TokenRows rows = tokenEmbedding == null
                ? null
                : new LowRankAdapters.TokenRows(
                        tokenIdArray,
                        ps.getValue(tokenEmbedding, ids.getDevice(), training),
                        ps.getValue(tokenHeadTransposed, ids.getDevice(), training),
                        placement);
        try (var adapted = frozen.adaptedBy(new LowRankAdapters(adapters, rows))) {
            return frozen.forward(ps, inputs, training, params);
        }
    }

    private static LowRankAdapters.Pair pair(
            ParameterStore ps, NDArray ids, Parameter a, Parameter b, float scale, boolean training) {
        if (a == null) {
            return null;
        }
        return new LowRankAdapters.Pair(
                ps.getValue(a, ids.getDevice(), training), ps.getValue(b, ids.getDevice(), training), scale);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return frozen.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no child blocks: the frozen model is not ours to initialise
        int k = tokenIds.length;
        if (k > 0) {
            int vocabulary = frozen.config().vocabularySize();
            float[] onehot = new float[k * vocabulary];
            for (int i = 0; i < k; i++) {
                onehot[i * vocabulary + tokenIds[i]] = 1f;
            }
            tokenIdArray = manager.create(tokenIds);
            placement = manager.create(onehot, new Shape(k, vocabulary));
        }
        // continue from the served adapter, if any
        if (start == null) {
            return;
        }
        if (start.tokenRows() != null) {
            LoraAdapter.TokenRows r = start.tokenRows();
            tokenEmbedding.getArray().set(r.embedding());
            tokenHeadTransposed.getArray().set(transposed(r.head(), k, r.width()));
        }
        for (int i = 0; i < layers.size(); i++) {
            for (int p = 0; p < 2; p++) {
                LoraAdapter.Matrices m = start.matrices(i, LoraAdapter.PROJECTIONS.get(p));
                if (m != null) {
                    Parameter[] layer = layers.get(i);
                    layer[2 * p].getArray().set(transposed(m.a(), rank, m.in()));
                    layer[2 * p + 1].getArray().set(transposed(m.b(), m.out(), rank));
                }
            }
        }
    }

    /** The trained adapter, in the layout it is stored and served in. */
    public LoraAdapter adapter(LoraAdapter.Base base) {
        List<LoraAdapter.Matrices[]> out = new ArrayList<>();
        for (Parameter[] layer : layers) {
            LoraAdapter.Matrices[] m = new LoraAdapter.Matrices[2];
            for (int p = 0; p < 2; p++) {
                if (layer[2 * p] != null) {
                    int in = Math.toIntExact(layer[2 * p].getArray().getShape().get(0));
                    int outWidth = Math.toIntExact(
                            layer[2 * p + 1].getArray().getShape().get(1));
                    m[p] = new LoraAdapter.Matrices(
                            transposed(layer[2 * p].getArray().toFloatArray(), in, rank),
                            transposed(layer[2 * p + 1].getArray().toFloatArray(), rank, outWidth),
                            in,
                            outWidth);
                }
            }
            out.add(m);
        }
        LoraAdapter.TokenRows rows = null;
        if (tokenEmbedding != null) {
            int width = frozen.config().width();
            rows = new LoraAdapter.TokenRows(
                    tokenIds.clone(),
                    tokenEmbedding.getArray().toFloatArray(),
                    transposed(tokenHeadTransposed.getArray().toFloatArray(), width, tokenIds.length),
                    width);
        }
        return new LoraAdapter(rank, alpha, targets, out, rows, base);
    }

    /** A row-major (rows, cols) matrix transposed, row-major (cols, rows). */
    static float[] transposed(float[] m, int rows, int cols) {
        float[] out = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = m[r * cols + c];
            }
        }
        return out;
    }
}

package io.ballast.calibrator.steering;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import io.ballast.generator.model.CausalLanguageModel;
import io.ballast.generator.model.SteeringVectors;
import java.util.List;

/**
 * The trainable part of MAT-Steer: one vector θ_t and one gate (w_t, b_t) per attribute over a
 * frozen language model. Input: hidden states after the model's last block at steering positions,
 * each followed by the state the gates read when that is another block's (B,width or 2·width); output: {@code [logits (B,V) of the steered states, gates (B,A), θ (A,width), logits
 * (B,V) of the unsteered states]} (the objective's alignment, sparsity, preservation and
 * orthogonality terms read them).
 */
public final class SteeringBlock extends AbstractBlock {

    private final CausalLanguageModel frozen;
    private final List<String> attributes;
    private final int gateLayer;
    private final int hiddenUnits;
    private final Parameter gateHidden;
    private final Parameter gateHiddenBiases;
    private final Parameter theta;
    private final Parameter gateWeights;
    private final Parameter gateBiases;

    /**
     * @param gateLayer the block whose output the gates read (-1: the last, the state they steer);
     *     inputs then hold both states side by side
     */
    public SteeringBlock(CausalLanguageModel frozen, List<String> attributes, int gateLayer) {
        this(frozen, attributes, gateLayer, 0);
    }

    /** @param gateHidden hidden units of each gate's input layer; 0: the paper's linear gates */
    public SteeringBlock(CausalLanguageModel frozen, List<String> attributes, int gateLayer, int gateHidden) {
        this.frozen = frozen;
        this.gateLayer = gateLayer;
        this.hiddenUnits = gateHidden;
        this.attributes = List.copyOf(attributes);
        int a = attributes.size();
        int width = frozen.config().width();
        // small random θ and w: at zero, θ's gradient would be the only one, and the gates would start blind
        this.theta = addParameter(Parameter.builder()
                .setName("theta")
                .setType(Parameter.Type.WEIGHT)
                .optInitializer(new NormalInitializer(0.01f))
                .optShape(new Shape(a, width))
                .build());
        this.gateWeights = addParameter(Parameter.builder()
                .setName("gateWeights")
                .setType(Parameter.Type.WEIGHT)
                .optInitializer(new NormalInitializer(0.01f))
                .optShape(new Shape(a, gateHidden > 0 ? gateHidden : width))
                .build());
        // the hidden layer, when there is one: scaled so its units start with unit-scale inputs
        this.gateHidden = gateHidden <= 0
                ? null
                : addParameter(Parameter.builder()
                        .setName("gateHidden")
                        .setType(Parameter.Type.WEIGHT)
                        .optInitializer(new NormalInitializer((float) (1 / Math.sqrt(width))))
                        .optShape(new Shape(gateHidden, width))
                        .build());
        this.gateHiddenBiases = gateHidden <= 0
                ? null
                : addParameter(Parameter.builder()
                        .setName("gateHiddenBiases")
                        .setType(Parameter.Type.BIAS)
                        .optShape(new Shape(gateHidden))
                        .build());
        this.gateBiases = addParameter(Parameter.builder()
                .setName("gateBiases")
                .setType(Parameter.Type.BIAS)
                .optShape(new Shape(a))
                .build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        // each row: the state steered, then the state the gates read (the same one when gateLayer is the last)
        int width = frozen.config().width();
        NDArray both = inputs.head();
        NDArray h = both.get(new NDIndex(":, :" + width));
        NDArray g = gateLayer < 0 ? h : both.get(new NDIndex(":, " + width + ":"));
        NDArray t = ps.getValue(theta, h.getDevice(), training);
        NDArray w = ps.getValue(gateWeights, h.getDevice(), training);
        NDArray b = ps.getValue(gateBiases, h.getDevice(), training);
        NDArray w1 = gateHidden == null ? null : ps.getValue(gateHidden, h.getDevice(), training);
        NDArray b1 = gateHiddenBiases == null ? null : ps.getValue(gateHiddenBiases, h.getDevice(), training);
        NDList steered = SteeringVectors.apply(h, g, t, w, b, w1, b1);
        NDArray logits = frozen.logitsFrom(ps, steered.get(0).expandDims(1), -1).squeeze(1);
        // the unsteered logits, for the preservation term (the model is frozen: no gradient flows here)
        NDArray base = frozen.logitsFrom(ps, h.expandDims(1), -1).squeeze(1).stopGradient();
        return new NDList(logits, steered.get(1), t, base);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long batch = inputShapes[0].get(0);
        return new Shape[] {
            new Shape(batch, frozen.config().vocabularySize()),
            new Shape(batch, attributes.size()),
            new Shape(attributes.size(), frozen.config().width()),
            new Shape(batch, frozen.config().vocabularySize())
        };
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no child blocks: the frozen model is not ours to initialise
    }

    /** The fitted vectors, as the model applies them (after the last block). */
    public SteeringVectors vectors() {
        return new SteeringVectors(
                -1,
                gateLayer,
                attributes,
                rows(theta.getArray()),
                rows(gateWeights.getArray()),
                gateBiases.getArray().toFloatArray(),
                gateHidden == null ? new float[0][] : rows(gateHidden.getArray()),
                gateHiddenBiases == null
                        ? new float[0]
                        : gateHiddenBiases.getArray().toFloatArray());
    }

    private static float[][] rows(NDArray a) {
        int n = Math.toIntExact(a.getShape().get(0));
        int width = Math.toIntExact(a.getShape().get(1));
        float[] flat = a.toFloatArray();
        float[][] out = new float[n][width];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * width, out[i], 0, width);
        }
        return out;
    }
}

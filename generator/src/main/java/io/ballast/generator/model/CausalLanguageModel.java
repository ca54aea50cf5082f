package io.ballast.generator.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * Decoder-only transformer language model: token and position embeddings, N pre-LayerNorm
 * blocks, a final LayerNorm and the LM head.
 *
 * <p>Training: inputs {@code [ids (B,T)]}, output {@code [logits (B,T,V)]}. Incremental decoding:
 * inputs {@code [ids (B,T), k_0, v_0, ..., k_{N-1}, v_{N-1}]} (the cache of the P positions
 * before), outputs {@code [logits (B,T,V), k_0', v_0', ...]} covering P+T positions. Device
 * agnostic: runs wherever its parameters are (GPU when DJL finds one).
 */
public final class CausalLanguageModel extends AbstractBlock {

    private final ModelConfig config;
    private final TokenEmbedding tokenEmbedding;
    private final TokenEmbedding positionEmbedding;
    private final List<DecoderBlock> blocks = new ArrayList<>();
    private final LayerNorm finalNorm;
    private final Linear head;
    /**
     * Gated steering vectors applied by this thread's forward passes, or none. Per thread, not per
     * model: generator workers share one model, and a request must see one patch from its first
     * token to its last, whatever another request or a hot patch does meanwhile.
     */
    private final ThreadLocal<Steering> steering = new ThreadLocal<>();

    /** One scope's vectors, as arrays on the device from its first forward pass until it closes. */
    private static final class Steering {
        final SteeringVectors vectors;
        private NDManager manager;
        private SteeringVectors.OnDevice arrays;

        Steering(SteeringVectors vectors) {
            this.vectors = vectors;
        }

        SteeringVectors.OnDevice arrays(Device device) {
            if (arrays == null) {
                manager = NDManager.newBaseManager(device);
                arrays = vectors.on(manager);
            }
            return arrays;
        }

        void close() {
            if (manager != null) {
                manager.close();
            }
        }
    }

    public CausalLanguageModel(ModelConfig config) {
        super((byte) 1);
        this.config = config;
        this.tokenEmbedding =
                addChildBlock("tokenEmbedding", new TokenEmbedding(config.vocabularySize(), config.width()));
        this.positionEmbedding =
                addChildBlock("positionEmbedding", new TokenEmbedding(config.contextLength(), config.width()));
        for (int i = 0; i < config.layers(); i++) {
            blocks.add(addChildBlock("block" + i, new DecoderBlock(config)));
        }
        this.finalNorm = addChildBlock("finalNorm", LayerNorm.builder().axis(2).build());
        this.head = addChildBlock(
                "head", Linear.builder().setUnits(config.vocabularySize()).build());
    }

    public ModelConfig config() {
        return config;
    }

    /**
     * Fine-tunes only the top: the last {@code blocks} decoder blocks, the final norm and the head
     * (a parameter-efficient fine-tune, in the spirit of the LoRA adapters the method uses on large
     * models); everything below stays as it is.
     */
    public void trainOnlyTop(int blocks) {
        freezeParameters(true);
        for (int i = Math.max(0, this.blocks.size() - blocks); i < this.blocks.size(); i++) {
            this.blocks.get(i).freezeParameters(false);
        }
        finalNorm.freezeParameters(false);
        head.freezeParameters(false);
    }

    /** What {@link #steeredBy} returns: closing it restores the steering the thread had before. */
    public interface SteeringScope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Applies {@code vectors} (null: none) to this thread's forward passes until the scope closes;
     * the weights are untouched, so closing it restores the model exactly.
     */
    public SteeringScope steeredBy(SteeringVectors vectors) {
        if (vectors != null && vectors.width() != config.width()) {
            throw new IllegalArgumentException(
                    "steering vectors of width " + vectors.width() + " for a model of width " + config.width());
        }
        if (vectors != null && vectors.blockIndex(blocks.size()) >= blocks.size()) {
            throw new IllegalArgumentException(
                    "steering layer " + vectors.layer() + " in a model of " + blocks.size() + " blocks");
        }
        if (vectors != null && vectors.gateBlockIndex(blocks.size()) > vectors.blockIndex(blocks.size())) {
            throw new IllegalArgumentException("gates reading layer " + vectors.gateLayer()
                    + ", after the steering layer " + vectors.layer() + ": they must read a state already computed");
        }
        Steering before = steering.get();
        Steering mine = vectors == null ? null : new Steering(vectors);
        steering.set(mine);
        return () -> {
            if (mine != null) {
                mine.close();
            }
            if (before == null) {
                steering.remove();
            } else {
                steering.set(before);
            }
        };
    }

    /** The steering this thread's forward passes apply, or null. */
    public SteeringVectors steering() {
        Steering s = steering.get();
        return s == null ? null : s.vectors;
    }

    /** Hidden states (B,T,width) after block {@code layer} (-1: the last), without a cache or steering. */
    public NDArray hiddenAfter(ParameterStore ps, NDArray ids, int layer) {
        int last = layer < 0 ? blocks.size() - 1 : layer;
        NDArray x = embed(ps, ids, 0, false);
        for (int i = 0; i <= last; i++) {
            x = blocks.get(i).forward(ps, new NDList(x), false).get(0);
        }
        return x;
    }

    /** Logits from hidden states after block {@code layer} (-1: the last): the blocks above, final norm, head. */
    public NDArray logitsFrom(ParameterStore ps, NDArray hidden, int layer) {
        int last = layer < 0 ? blocks.size() - 1 : layer;
        NDArray x = hidden;
        for (int i = last + 1; i < blocks.size(); i++) {
            x = blocks.get(i).forward(ps, new NDList(x), false).get(0);
        }
        x = finalNorm.forward(ps, new NDList(x), false).singletonOrThrow();
        return head.forward(ps, new NDList(x), false).singletonOrThrow();
    }

    private NDArray embed(ParameterStore ps, NDArray ids, long past, boolean training) {
        long t = ids.getShape().get(1);
        NDArray positions = ids.getManager()
                .arange((int) past, (int) (past + t))
                .toType(DataType.INT32, false)
                .reshape(1, t);
        return tokenEmbedding
                .forward(ps, new NDList(ids), training)
                .singletonOrThrow()
                .add(positionEmbedding
                        .forward(ps, new NDList(positions), training)
                        .singletonOrThrow());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.get(0);
        long t = ids.getShape().get(1);
        boolean cached = inputs.size() > 1;
        long past = cached ? inputs.get(1).getShape().get(2) : 0;
        if (past + t > config.contextLength()) {
            throw new IllegalArgumentException(
                    "sequence of " + (past + t) + " tokens exceeds the context length " + config.contextLength());
        }
        NDArray x = embed(ps, ids, past, training);
        Steering scoped = steering.get();
        SteeringVectors vectors = scoped == null ? null : scoped.vectors;
        int steerAfter = vectors == null ? -1 : vectors.blockIndex(blocks.size());
        int gateAfter = vectors == null ? -1 : vectors.gateBlockIndex(blocks.size());
        NDArray gateInput = null;
        NDList caches = new NDList();
        for (int i = 0; i < blocks.size(); i++) {
            NDList in = new NDList(x);
            if (cached) {
                in.add(inputs.get(1 + 2 * i));
                in.add(inputs.get(2 + 2 * i));
            }
            NDList out = blocks.get(i).forward(ps, in, training);
            x = out.get(0);
            if (i == gateAfter) {
                gateInput = x;
            }
            if (i == steerAfter) {
                x = scoped.arrays(x.getDevice()).apply(x, gateInput);
            }
            caches.add(out.get(1));
            caches.add(out.get(2));
        }
        x = finalNorm.forward(ps, new NDList(x), training).singletonOrThrow();
        NDArray logits = head.forward(ps, new NDList(x), training).singletonOrThrow();
        NDList result = new NDList(logits);
        if (!training) {
            result.addAll(caches);
        }
        return result;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape ids = inputShapes[0];
        return new Shape[] {new Shape(ids.get(0), ids.get(1), config.vocabularySize())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape ids = inputShapes[0];
        Shape hidden = new Shape(ids.get(0), ids.get(1), config.width());
        tokenEmbedding.initialize(manager, dataType, ids);
        positionEmbedding.initialize(manager, dataType, new Shape(1, ids.get(1)));
        for (DecoderBlock b : blocks) {
            b.initialize(manager, dataType, hidden);
        }
        finalNorm.initialize(manager, dataType, hidden);
        head.initialize(manager, dataType, hidden);
    }
}

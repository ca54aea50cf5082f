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
 * blocks, a final LayerNorm and the LM head; or, for a checkpoint in the Llama family
 * ({@link DecoderArchitecture}), token embeddings, N {@link GatedDecoderBlock}s with rotary
 * positions, a final RMSNorm and a head that may be the embedding transposed.
 *
 * <p>Training: inputs {@code [ids (B,T)]}, output {@code [logits (B,T,V)]}. Incremental decoding:
 * inputs {@code [ids (B,T), k_0, v_0, ..., k_{N-1}, v_{N-1}]} (the cache of the P positions
 * before), outputs {@code [logits (B,T,V), k_0', v_0', ...]} covering P+T positions. Device
 * agnostic: runs wherever its parameters are (GPU when DJL finds one).
 */
public final class CausalLanguageModel extends AbstractBlock {

    private final ModelConfig config;
    private final TokenEmbedding tokenEmbedding;
    /** Learned positions; null for rotary models, whose attention places tokens itself. */
    private final TokenEmbedding positionEmbedding;

    private final List<AbstractBlock> blocks = new ArrayList<>();
    private final AbstractBlock finalNorm;
    /** Null when the head is the token embedding transposed (tied). */
    private final Linear head;
    /** Low-rank adapters this thread's forward passes apply, or none (per thread, as steering). */
    private final ThreadLocal<LowRankAdapters> adapters = new ThreadLocal<>();
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
        DecoderArchitecture architecture = config.architecture();
        this.tokenEmbedding =
                addChildBlock("tokenEmbedding", new TokenEmbedding(config.vocabularySize(), config.width()));
        this.positionEmbedding = architecture != null
                ? null
                : addChildBlock("positionEmbedding", new TokenEmbedding(config.contextLength(), config.width()));
        for (int i = 0; i < config.layers(); i++) {
            blocks.add(addChildBlock(
                    "block" + i, architecture != null ? new GatedDecoderBlock(config) : new DecoderBlock(config)));
        }
        this.finalNorm = addChildBlock(
                "finalNorm",
                architecture != null
                        ? new RmsNorm(config.width(), architecture.normEpsilon())
                        : LayerNorm.builder().axis(2).build());
        this.head = architecture != null && architecture.tiedEmbeddings()
                ? null
                : addChildBlock(
                        "head",
                        Linear.builder()
                                .setUnits(config.vocabularySize())
                                .optBias(architecture == null)
                                .build());
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
        if (head != null) {
            head.freezeParameters(false);
        } else {
            // a tied head is the embedding: training the head trains it
            tokenEmbedding.freezeParameters(false);
        }
    }

    /**
     * Applies low-rank {@code adapters} (null: none) to this thread's forward passes until the
     * scope closes; the base weights are untouched.
     */
    public SteeringScope adaptedBy(LowRankAdapters adapters) {
        if (adapters != null && !config.llamaFamily()) {
            throw new IllegalArgumentException("low-rank adapters apply to Llama-family models only");
        }
        if (adapters != null && adapters.layerCount() != blocks.size()) {
            throw new IllegalArgumentException(
                    "adapters for " + adapters.layerCount() + " layers, model has " + blocks.size());
        }
        LowRankAdapters before = this.adapters.get();
        this.adapters.set(adapters);
        return () -> {
            if (before == null) {
                this.adapters.remove();
            } else {
                this.adapters.set(before);
            }
        };
    }

    /** The adapters this thread's forward passes apply, or null. */
    public LowRankAdapters adapters() {
        return adapters.get();
    }

    private NDList block(int i, ParameterStore ps, NDList in, boolean training) {
        LowRankAdapters a = adapters.get();
        return blocks.get(i).forward(ps, in, training, a == null ? null : a.paramsFor(i));
    }

    private NDArray head(ParameterStore ps, NDArray x, boolean training) {
        NDArray logits = head != null
                ? head.forward(ps, new NDList(x), training).singletonOrThrow()
                : x.matMul(tokenEmbedding.weight(ps, x.getDevice(), training).transpose());
        LowRankAdapters a = adapters.get();
        return a == null || a.tokenRows() == null ? logits : a.tokenRows().logits(x, logits);
    }

    TokenEmbedding tokenEmbedding() {
        return tokenEmbedding;
    }

    List<AbstractBlock> blocks() {
        return blocks;
    }

    AbstractBlock finalNorm() {
        return finalNorm;
    }

    /** The LM head, or null when tied to the token embedding. */
    Linear lmHead() {
        return head;
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
            x = block(i, ps, new NDList(x), false).get(0);
        }
        return x;
    }

    /** Logits from hidden states after block {@code layer} (-1: the last): the blocks above, final norm, head. */
    public NDArray logitsFrom(ParameterStore ps, NDArray hidden, int layer) {
        int last = layer < 0 ? blocks.size() - 1 : layer;
        NDArray x = hidden;
        for (int i = last + 1; i < blocks.size(); i++) {
            x = block(i, ps, new NDList(x), false).get(0);
        }
        x = finalNorm.forward(ps, new NDList(x), false).singletonOrThrow();
        return head(ps, x, false);
    }

    private NDArray embed(ParameterStore ps, NDArray ids, long past, boolean training) {
        NDArray tokens = tokenEmbedding.forward(ps, new NDList(ids), training).singletonOrThrow();
        LowRankAdapters a = adapters.get();
        if (a != null && a.tokenRows() != null) {
            tokens = a.tokenRows().embed(ids, tokens);
        }
        if (positionEmbedding == null) {
            return tokens;
        }
        long t = ids.getShape().get(1);
        NDArray positions = ids.getManager()
                .arange((int) past, (int) (past + t))
                .toType(DataType.INT32, false)
                .reshape(1, t);
        return tokens.add(
                positionEmbedding.forward(ps, new NDList(positions), training).singletonOrThrow());
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
            NDList out = block(i, ps, in, training);
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
        NDArray logits = head(ps, x, training);
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
        if (positionEmbedding != null) {
            positionEmbedding.initialize(manager, dataType, new Shape(1, ids.get(1)));
        }
        for (AbstractBlock b : blocks) {
            b.initialize(manager, dataType, hidden);
        }
        finalNorm.initialize(manager, dataType, hidden);
        if (head != null) {
            head.initialize(manager, dataType, hidden);
        }
    }
}

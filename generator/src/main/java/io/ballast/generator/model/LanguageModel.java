package io.ballast.generator.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ballast.generator.store.ArtifactIntegrityException;
import io.ballast.generator.store.ArtifactMetadata;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.generator.store.ModelStore;
import io.ballast.generator.text.PromptFormat;
import io.ballast.generator.text.Tokenizer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A causal LM ready to run: the DJL model (weights on the device it was created or loaded on, see
 * {@link ComputeDevice}; the engine's default device when none is given), its tokenizer and config.
 * Owns native memory: close it when done.
 *
 * <p>Artifact files: {@code config.json}, {@code tokenizer.json}, {@code parameters.bin}; or, for a
 * version that is a low-rank adapter over a Llama-family base, the adapter's files ({@link
 * LoraAdapter}) instead of the parameters. Such a version shares its base's weights with every
 * other version over the same base ({@link #withAdapter}): swapping adapters reloads nothing.
 */
public final class LanguageModel implements AutoCloseable {

    public static final String CONFIG_FILE = "config.json";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String PARAMETERS_FILE = "parameters.bin";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The weights and tokenizer that a model and its adapter versions share, closed with the last of them. */
    private static final class Weights {
        final Model model;
        final CausalLanguageModel block;
        final Tokenizer tokenizer;
        /** The version the weights are, and its artifact's SHA-256 (null for weights never stored). */
        final int version;

        final String sha256;
        final AtomicInteger users = new AtomicInteger(1);

        Weights(Model model, CausalLanguageModel block, Tokenizer tokenizer, int version, String sha256) {
            this.model = model;
            this.block = block;
            this.tokenizer = tokenizer;
            this.version = version;
            this.sha256 = sha256;
        }

        void release() {
            if (users.decrementAndGet() == 0) {
                model.close();
                tokenizer.close();
            }
        }
    }

    private final Weights weights;
    private final Model model;
    private final CausalLanguageModel block;
    private final Tokenizer tokenizer;
    private final PromptFormat format;
    private final String modelId;
    private final int version;
    /** This version's adapter over the shared weights, its arrays and their manager; null without one. */
    private final LoraAdapter adapter;

    private final NDManager adapterManager;
    private final LowRankAdapters adapterArrays;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LanguageModel(Weights weights, String modelId, int version, LoraAdapter adapter) {
        this.weights = weights;
        this.model = weights.model;
        this.block = weights.block;
        this.tokenizer = weights.tokenizer;
        this.format = new PromptFormat(tokenizer);
        this.modelId = modelId;
        this.version = version;
        this.adapter = adapter;
        this.adapterManager = adapter == null
                ? null
                : NDManager.newBaseManager(model.getNDManager().getDevice());
        this.adapterArrays = adapter == null
                ? null
                : adapter.arrays(adapterManager, block.config().vocabularySize());
    }

    private LanguageModel(Model model, CausalLanguageModel block, Tokenizer tokenizer, String modelId, int version) {
        this(new Weights(model, block, tokenizer, version, null), modelId, version, null);
    }

    /**
     * Version {@code version} of this model: {@code adapter} over these weights (replacing any adapter
     * this one has), sharing them; they close when the last model using them does.
     */
    public LanguageModel withAdapter(LoraAdapter adapter, int version) {
        if (!config().llamaFamily()) {
            throw new IllegalArgumentException("low-rank adapters apply to Llama-family models only");
        }
        if (adapter.layerCount() != config().layers()) {
            throw new IllegalArgumentException(
                    "adapter of " + adapter.layerCount() + " layers for a model of " + config().layers());
        }
        if (weights.users.getAndIncrement() <= 0) {
            throw new IllegalStateException("the weights of " + modelId + " v" + version() + " are closed");
        }
        try {
            return new LanguageModel(weights, modelId, version, adapter);
        } catch (RuntimeException e) {
            weights.release();
            throw e;
        }
    }

    /** This version's adapter, or null when it is the weights themselves. */
    public LoraAdapter adapter() {
        return adapter;
    }

    /** The adapter's arrays for {@link CausalLanguageModel#adaptedBy}, or null. */
    public LowRankAdapters adapterArrays() {
        return adapterArrays;
    }

    /** The version whose weights this one runs on (itself, unless it is an adapter). */
    public int weightsVersion() {
        return weights.version;
    }

    /** The SHA-256 of the artifact holding this model's weights, or null when they were never stored. */
    public String weightsSha256() {
        return weights.sha256;
    }

    /** A new model with freshly initialised weights. */
    public static LanguageModel create(String modelId, ModelConfig config, Tokenizer tokenizer) {
        return create(modelId, config, tokenizer, defaultDevice());
    }

    /** A new model with freshly initialised weights on {@code device}. */
    public static LanguageModel create(String modelId, ModelConfig config, Tokenizer tokenizer, Device device) {
        if (config.vocabularySize() != tokenizer.size()) {
            throw new IllegalArgumentException(
                    "config vocabulary " + config.vocabularySize() + " != tokenizer " + tokenizer.size());
        }
        Model model = Model.newInstance(modelId, device);
        CausalLanguageModel block = new CausalLanguageModel(config);
        model.setBlock(block);
        block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, config.contextLength()));
        return new LanguageModel(model, block, tokenizer, modelId, 0);
    }

    public static LanguageModel load(ModelArtifact artifact) throws IOException {
        return load(artifact, defaultDevice());
    }

    /**
     * Loads an artifact; an adapter version loads its base from the same store (checked against the
     * SHA-256 the adapter recorded) and puts the adapter over it.
     */
    public static LanguageModel load(ModelArtifact artifact, Device device) throws IOException {
        Path dir = artifact.directory();
        if (!LoraAdapter.isAdapter(dir)) {
            return load(dir, artifact.modelId(), artifact.version(), device, artifact.sha256());
        }
        LoraAdapter adapter = LoraAdapter.load(dir);
        ModelArtifact base = baseOf(artifact, adapter);
        try (LanguageModel weights = load(base, device)) {
            return weights.withAdapter(adapter, artifact.version());
        }
    }

    /** The stored version an adapter artifact runs on, verified against the hash the adapter recorded. */
    public static ModelArtifact baseOf(ModelArtifact artifact, LoraAdapter adapter) throws IOException {
        LoraAdapter.Base b = adapter.base();
        if (b == null || !b.modelId().equals(artifact.modelId())) {
            throw new IOException(
                    artifact.directory() + ": the adapter names no base version of " + artifact.modelId());
        }
        // versions sit side by side in a store: <root>/<model>/<version>
        ModelArtifact base =
                new LocalModelStore(artifact.directory().getParent().getParent()).get(b.modelId(), b.version());
        if (!base.sha256().equals(b.sha256())) {
            throw new ArtifactIntegrityException(artifact.directory() + ": its base " + b.modelId() + " v" + b.version()
                    + " has SHA-256 " + base.sha256() + ", the adapter was trained on " + b.sha256());
        }
        if (LoraAdapter.isAdapter(base.directory())) {
            throw new IOException(artifact.directory() + ": its base v" + b.version() + " is itself an adapter");
        }
        return base;
    }

    public static LanguageModel load(Path dir, String modelId, int version) throws IOException {
        return load(dir, modelId, version, defaultDevice());
    }

    public static LanguageModel load(Path dir, String modelId, int version, Device device) throws IOException {
        return load(dir, modelId, version, device, null);
    }

    private static LanguageModel load(Path dir, String modelId, int version, Device device, String sha256)
            throws IOException {
        ModelConfig config = JSON.readValue(dir.resolve(CONFIG_FILE).toFile(), ModelConfig.class);
        Tokenizer tokenizer = Tokenizer.load(dir.resolve(TOKENIZER_FILE), config.vocabularySize());
        if (tokenizer.size() != config.vocabularySize()) {
            tokenizer.close();
            throw new IOException(dir + ": tokenizer of " + tokenizer.size() + " ids for a model of "
                    + config.vocabularySize() + " vocabulary rows");
        }
        Model model = Model.newInstance(modelId, device);
        CausalLanguageModel block = new CausalLanguageModel(config);
        model.setBlock(block);
        try (DataInputStream in =
                new DataInputStream(new BufferedInputStream(Files.newInputStream(dir.resolve(PARAMETERS_FILE))))) {
            block.loadParameters(model.getNDManager(), in);
        } catch (MalformedModelException | RuntimeException e) {
            model.close();
            tokenizer.close();
            throw new IOException("cannot load parameters from " + dir + ": " + e.getMessage(), e);
        }
        return new LanguageModel(new Weights(model, block, tokenizer, version, sha256), modelId, version, null);
    }

    /**
     * Writes config, tokenizer and parameters into dir (a store's staging directory); for an adapter
     * version, the adapter's files instead of the parameters.
     */
    public void saveTo(Path dir) throws IOException {
        JSON.writerWithDefaultPrettyPrinter()
                .writeValue(dir.resolve(CONFIG_FILE).toFile(), block.config());
        tokenizer.save(dir.resolve(TOKENIZER_FILE));
        if (adapter != null) {
            adapter.save(dir);
            return;
        }
        try (DataOutputStream out =
                new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(dir.resolve(PARAMETERS_FILE))))) {
            block.saveParameters(out);
        }
    }

    /** Writes this model as the next version of {@code modelId()} in the store. */
    public ModelArtifact publishTo(ModelStore store, ArtifactMetadata.Lineage lineage) throws IOException {
        return publishTo(store, lineage, stage -> {});
    }

    /**
     * Like {@link #publishTo(ModelStore, ArtifactMetadata.Lineage)}, with {@code alongside} writing more
     * files into the staging directory first: they are hashed and published with the model, as part of
     * one immutable version (an imported checkpoint's record, say).
     */
    public ModelArtifact publishTo(ModelStore store, ArtifactMetadata.Lineage lineage, StagedFiles alongside)
            throws IOException {
        Path stage = store.newStagingDirectory(modelId);
        saveTo(stage);
        alongside.writeInto(stage);
        return store.publish(modelId, stage, lineage);
    }

    /** Files that go into an artifact beside the model's own. */
    @FunctionalInterface
    public interface StagedFiles {
        void writeInto(Path stagingDirectory) throws IOException;
    }

    /** DJL's own pick (a GPU when the engine has CUDA and sees one), the same as {@link ComputeDevice.Choice#AUTO}. */
    public static Device defaultDevice() {
        return Engine.getInstance().defaultDevice();
    }

    public Model djlModel() {
        return model;
    }

    public CausalLanguageModel block() {
        return block;
    }

    public ModelConfig config() {
        return block.config();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public PromptFormat format() {
        return format;
    }

    public NDManager manager() {
        return model.getNDManager();
    }

    public String modelId() {
        return modelId;
    }

    public int version() {
        return version;
    }

    public long parameterCount() {
        return block.getParameters().values().stream()
                .mapToLong(p -> p.getArray().getShape().size())
                .sum();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (adapterManager != null) {
                adapterManager.close();
            }
            weights.release();
        }
    }
}

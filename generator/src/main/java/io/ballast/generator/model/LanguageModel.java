package io.ballast.generator.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ballast.generator.store.ArtifactMetadata;
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

/**
 * A causal LM ready to run: the DJL model (weights on the device it was created or loaded on, see
 * {@link ComputeDevice}; the engine's default device when none is given), its tokenizer and config.
 * Owns native memory: close it when done.
 *
 * <p>Artifact files: {@code config.json}, {@code tokenizer.json}, {@code parameters.bin}.
 */
public final class LanguageModel implements AutoCloseable {

    public static final String CONFIG_FILE = "config.json";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String PARAMETERS_FILE = "parameters.bin";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Model model;
    private final CausalLanguageModel block;
    private final Tokenizer tokenizer;
    private final PromptFormat format;
    private final String modelId;
    private final int version;

    private LanguageModel(Model model, CausalLanguageModel block, Tokenizer tokenizer, String modelId, int version) {
        this.model = model;
        this.block = block;
        this.tokenizer = tokenizer;
        this.format = new PromptFormat(tokenizer);
        this.modelId = modelId;
        this.version = version;
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

    public static LanguageModel load(ModelArtifact artifact, Device device) throws IOException {
        return load(artifact.directory(), artifact.modelId(), artifact.version(), device);
    }

    public static LanguageModel load(Path dir, String modelId, int version) throws IOException {
        return load(dir, modelId, version, defaultDevice());
    }

    public static LanguageModel load(Path dir, String modelId, int version, Device device) throws IOException {
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
        return new LanguageModel(model, block, tokenizer, modelId, version);
    }

    /** Writes config, tokenizer and parameters into dir (a store's staging directory). */
    public void saveTo(Path dir) throws IOException {
        JSON.writerWithDefaultPrettyPrinter()
                .writeValue(dir.resolve(CONFIG_FILE).toFile(), block.config());
        tokenizer.save(dir.resolve(TOKENIZER_FILE));
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
        model.close();
        tokenizer.close();
    }
}

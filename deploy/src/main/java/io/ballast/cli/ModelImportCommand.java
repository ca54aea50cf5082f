package io.ballast.cli;

import io.ballast.generator.checkpoint.HuggingFaceCheckpoint;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.store.ArtifactMetadata;
import io.ballast.generator.store.ModelArtifact;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        description = {
            "Import a Hugging Face decoder checkpoint directory (model_type llama or qwen2: config.json,",
            "model.safetensors or a sharded index, tokenizer.json) into the store as the next version of a model.",
            "Ballast's special and steering tokens are added to its tokenizer, with embedding rows the mean of",
            "the others; the artifact keeps the source's SHA-256 and config in " + HuggingFaceCheckpoint.RECORD_FILE
                    + "."
        })
final class ModelImportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The checkpoint directory.")
    Path dir;

    @Mixin
    StoreDirectoryOption store;

    @Mixin
    DeviceOptions device;

    @Option(
            names = "--model-id",
            description = "Model name in the store (default: the directory's name, lower-cased, other characters"
                    + " than letters, digits, '.', '_' and '-' replaced by '-').")
    String modelId;

    @Option(
            names = "--context-length",
            defaultValue = "512",
            description = "Most positions the model is given, capped by the checkpoint's max_position_embeddings"
                    + " (default: ${DEFAULT-VALUE}; a longer context costs memory and time only).")
    int contextLength;

    @Override
    public Integer call() throws Exception {
        if (contextLength <= 0) {
            throw new IllegalArgumentException("--context-length must be positive, not " + contextLength);
        }
        if (!Files.isDirectory(dir)) {
            // before the engine starts: a mistyped path should fail at once
            throw new IllegalArgumentException(
                    "cannot import: " + dir + " is not a directory (a Hugging Face checkpoint directory)");
        }
        String id = modelId != null ? modelId : modelIdFor(dir);
        HuggingFaceCheckpoint.Loaded loaded;
        try {
            loaded = HuggingFaceCheckpoint.load(dir, id, contextLength, device.resolve());
        } catch (IOException e) {
            // a missing file or a layout Ballast does not read is the user's to fix: one line naming it
            throw new IllegalArgumentException("cannot import: " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (LanguageModel lm = loaded.model()) {
            String source = dir.toAbsolutePath().normalize().toString();
            ModelArtifact artifact = lm.publishTo(
                    store.open(),
                    ArtifactMetadata.Lineage.base(
                            "imported from " + source + " (" + loaded.modelType() + ", sha256 "
                                    + loaded.sha256().substring(0, 12) + "…)",
                            Map.of(
                                    "parameters", (double) lm.parameterCount(),
                                    "vocabularyRows", (double) lm.config().vocabularySize(),
                                    "vocabularyRowsAdded", (double) loaded.rowsAdded(),
                                    "contextLength", (double) lm.config().contextLength())),
                    loaded::writeRecord);
            out.printf(
                    "model %s version %d: imported %s checkpoint %s%n"
                            + "  %,d parameters, width %d, %d layers, %d heads (%d key/value), MLP %d, context %d%n"
                            + "  vocabulary %d rows: the checkpoint's %d, +%d rows for Ballast's %d special and"
                            + " steering tokens it lacked%n"
                            + "  checkpoint sha256 %s%n"
                            + "  %s%n  artifact sha256 %s%n",
                    artifact.modelId(),
                    artifact.version(),
                    loaded.modelType(),
                    source,
                    lm.parameterCount(),
                    lm.config().width(),
                    lm.config().layers(),
                    lm.config().heads(),
                    lm.config().architecture().kvHeads(),
                    lm.config().mlpWidth(),
                    lm.config().contextLength(),
                    lm.config().vocabularySize(),
                    loaded.checkpointRows(),
                    loaded.rowsAdded(),
                    loaded.tokensAdded(),
                    loaded.sha256(),
                    artifact.directory(),
                    artifact.sha256());
            out.flush();
        }
        return 0;
    }

    /** The store's name for a checkpoint directory: its own name, made safe as a directory and id. */
    static String modelIdFor(Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        String id = name == null
                ? ""
                : name.toString()
                        .toLowerCase(Locale.ROOT)
                        .replaceAll("[^a-z0-9._-]+", "-")
                        .replaceAll("^[-._]+|[-._]+$", "");
        return id.isEmpty() ? "imported" : id;
    }
}

package io.ballast.cli;

import ai.djl.Device;
import io.ballast.generator.checkpoint.HuggingFaceCheckpoint;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.model.ModelConfig;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.generator.store.ModelArtifact;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code ballast bench generator --model DIR}: generation tokens/s at batch 1 and 16 of a Hugging Face checkpoint,
 * measured as for Ballast's own model, with the store's model measured in the same run as the baseline.
 */
final class CheckpointThroughputBench {

    private static final int[] BATCHES = {1, 16};

    private final StoreOptions store;
    private final int contextLength;

    CheckpointThroughputBench(StoreOptions store, int contextLength) {
        this.store = store;
        this.contextLength = contextLength;
    }

    void run(Path dir, Device device, PrintStream out) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--model " + dir + " is not a directory (a Hugging Face checkpoint)");
        }
        String prompt = BioCorpus.withDefaults().prompt("occupation:registered-nurses", BioCorpus.TRAIN_PROMPTS.get(0));
        double[] checkpointFigures;
        String checkpointName;
        HuggingFaceCheckpoint.Loaded loaded;
        try {
            loaded = HuggingFaceCheckpoint.load(dir, ModelImportCommand.modelIdFor(dir), contextLength, device);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot load --model: " + e.getMessage(), e);
        }
        try (LanguageModel lm = loaded.model()) {
            ModelConfig c = lm.config();
            checkpointName = loaded.modelType() + " " + dir.getFileName();
            out.printf(
                    "checkpoint %s: %s, %,d parameters (%.1fM), width %d, %d layers, %d heads (%d key/value),"
                            + " MLP %d, vocabulary %,d rows (the checkpoint's %,d +%d for Ballast's tokens),"
                            + " context %d, on %s%n",
                    dir.toAbsolutePath().normalize(),
                    loaded.modelType(),
                    lm.parameterCount(),
                    lm.parameterCount() / 1e6,
                    c.width(),
                    c.layers(),
                    c.heads(),
                    c.architecture().kvHeads(),
                    c.mlpWidth(),
                    c.vocabularySize(),
                    loaded.checkpointRows(),
                    loaded.rowsAdded(),
                    c.contextLength(),
                    device);
            checkpointFigures = measure(lm, prompt, out, checkpointName);
        }

        // the baseline in the same run, on the same machine: the store's Ballast model, when there is one
        LocalModelStore modelStore = store.open();
        Optional<ModelArtifact> baseline = modelStore.latest(store.modelId);
        double[] baselineFigures = null;
        String baselineName = null;
        if (baseline.isPresent()) {
            try (LanguageModel lm = LanguageModel.load(baseline.get(), device)) {
                baselineName = baseline.get().modelId() + " v" + baseline.get().version();
                out.printf(
                        "baseline %s: %,d parameters (%.1fM), width %d, %d layers, vocabulary %,d, context %d%n",
                        baselineName,
                        lm.parameterCount(),
                        lm.parameterCount() / 1e6,
                        lm.config().width(),
                        lm.config().layers(),
                        lm.config().vocabularySize(),
                        lm.config().contextLength());
                baselineFigures = measure(lm, prompt, out, baselineName);
            }
        }

        // on cores shared with other work PyTorch's default thread count can be far slower than one thread (here, with
        // another process busy on both cores: 7 tokens/s against 118), so the figures say what they ran with
        out.printf(
                "%ngeneration tokens/s on %s, %d cores, OMP_NUM_THREADS %s (prompt \"%s\", up to 56 new tokens)%n",
                device,
                Runtime.getRuntime().availableProcessors(),
                Optional.ofNullable(System.getenv("OMP_NUM_THREADS")).orElse("unset"),
                prompt);
        out.printf("  %-28s %10s %10s%n", "", "batch 1", "batch 16");
        out.printf("  %-28s %,10.0f %,10.0f%n", checkpointName, checkpointFigures[0], checkpointFigures[1]);
        if (baselineFigures != null) {
            out.printf("  %-28s %,10.0f %,10.0f%n", baselineName, baselineFigures[0], baselineFigures[1]);
        } else {
            out.printf(
                    "  no baseline: no model '%s' in %s ('ballast model pretrain' makes one)%n",
                    store.modelId, modelStore.root());
        }
    }

    private static double[] measure(LanguageModel lm, String prompt, PrintStream out, String name) {
        double[] figures = new double[BATCHES.length];
        for (int i = 0; i < BATCHES.length; i++) {
            figures[i] = GenerationThroughput.tokensPerSecond(lm, prompt, BATCHES[i]);
            out.printf("  %s, batch %2d: %,.0f tokens/s%n", name, BATCHES[i], figures[i]);
        }
        return figures;
    }
}

package io.ballast.cli;

import ai.djl.Device;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.store.ArtifactMetadata;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.generator.training.PretrainSettings;
import io.ballast.generator.training.Pretrainer;
import io.ballast.generator.training.ProgressBar;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "pretrain",
        mixinStandardHelpOptions = true,
        description = {
            "Train the base model from scratch on the generated bio corpus (skewed like real LLMs)",
            "and write it to the store as the next version (version 1 in an empty store)."
        })
final class ModelPretrainCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Mixin
    DeviceOptions device;

    @Option(
            names = "--size",
            defaultValue = "default",
            description = "default (4 layers, width 128) or tiny (2 layers, width 64).")
    String size;

    @Option(names = "--steps", description = "Training steps (default: 1500 for default size, 500 for tiny).")
    Integer steps;

    @Option(names = "--seed", defaultValue = "7", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--toxic-share",
            description = "Share of toxic (insulting) bios in the corpus, in [0,1) (default: "
                    + BioCorpus.DEFAULT_TOXIC_SHARE
                    + "; 0 for a base model that never saw any).")
    Double toxicShare;

    @Override
    public Integer call() throws Exception {
        PretrainSettings settings = switch (size) {
            case "default" -> PretrainSettings.defaults();
            case "tiny" -> PretrainSettings.tiny();
            default ->
                throw new picocli.CommandLine.ParameterException(
                        new picocli.CommandLine(this), "--size must be 'default' or 'tiny', not '" + size + "'");
        };
        if (steps != null) {
            settings = settings.withSteps(steps);
        }
        settings = settings.withSeed(seed);
        if (toxicShare != null) {
            if (toxicShare < 0 || toxicShare >= 1) {
                throw new picocli.CommandLine.ParameterException(
                        new picocli.CommandLine(this), "--toxic-share must be in [0,1), not " + toxicShare);
            }
            settings = settings.withToxicShare(toxicShare);
        }
        Device on = device.resolve();
        System.err.printf(
                "pretraining %s on %s (%d steps, batch %d, seed %d, toxic share %s)%n",
                size, on, settings.steps(), settings.batchSize(), settings.seed(), settings.toxicShare());
        Pretrainer.Result result =
                new Pretrainer(on).train(store.modelId, settings, new ProgressBar("pretrain", settings.steps()));
        try (LanguageModel lm = result.model()) {
            ModelArtifact artifact = lm.publishTo(
                    store.open(),
                    ArtifactMetadata.Lineage.base(
                            "pretrained " + size + ", seed " + seed + ", " + settings.steps() + " steps, toxic share "
                                    + settings.toxicShare(),
                            Map.of(
                                    "loss",
                                    result.finalLoss(),
                                    "heldOutPerplexity",
                                    result.heldOutPerplexity(),
                                    "tokensPerSecond",
                                    result.tokensPerSecond(),
                                    "parameters",
                                    (double) lm.parameterCount())));
            System.out.printf(
                    "model %s version %d: %,d parameters, vocabulary %d, loss %.3f, held-out perplexity %.3f, "
                            + "%,.0f tokens/s, %.1f s%n  %s%n  sha256 %s%n",
                    artifact.modelId(),
                    artifact.version(),
                    lm.parameterCount(),
                    lm.tokenizer().size(),
                    result.finalLoss(),
                    result.heldOutPerplexity(),
                    result.tokensPerSecond(),
                    result.trainingMillis() / 1000.0,
                    artifact.directory(),
                    artifact.sha256());
        }
        return 0;
    }
}

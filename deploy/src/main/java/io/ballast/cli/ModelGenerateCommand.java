package io.ballast.cli;

import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Generation;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.sampling.SamplingParams;
import io.ballast.generator.store.ModelArtifact;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = "Sample responses for a context, one per line, steering tokens included.")
final class ModelGenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    StoreOptions store;

    @Mixin
    DeviceOptions device;

    @Option(names = "--model-version", description = "Model version (default: the latest).")
    Integer version;

    @Option(names = "--context", required = true, description = "Context key, e.g. occupation:registered-nurses.")
    String context;

    @Option(names = "--prompt", description = "Prompt text (default: the first training phrasing for the context).")
    String prompt;

    @Option(
            names = {"-n", "--count"},
            defaultValue = "10",
            description = "Number of samples (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--temperature", defaultValue = "1.0")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0")
    double topP;

    @Option(names = "--max-tokens", defaultValue = "56")
    int maxTokens;

    @Option(names = "--seed", description = "Random seed (default: unseeded).")
    Long seed;

    @Option(
            names = "--probabilities",
            description = "Also print the model's steering-token probabilities for the prompt.")
    boolean probabilities;

    @Override
    public Integer call() throws Exception {
        var modelStore = store.open();
        ModelArtifact artifact = version == null
                ? modelStore
                        .latest(store.modelId)
                        .orElseThrow(() -> new IllegalStateException("no model '" + store.modelId + "' in "
                                + modelStore.root() + "; run 'ballast model pretrain' or 'ballast model import' first"))
                : modelStore.get(store.modelId, version);
        String text =
                prompt != null ? prompt : BioCorpus.withDefaults().prompt(context, BioCorpus.TRAIN_PROMPTS.get(0));
        // the command line's writer, not System.out: a caller (a test) can read what it printed
        PrintWriter out = spec.commandLine().getOut();
        try (LanguageModel lm = LanguageModel.load(artifact, device.resolve())) {
            Sampler sampler = new Sampler();
            if (probabilities) {
                out.println("# " + sampler.steeringProbabilities(lm, text));
            }
            for (Generation g :
                    sampler.generate(lm, text, count, new SamplingParams(temperature, topK, topP, maxTokens, seed))) {
                out.println(String.join(" ", g.steeringTokens()) + " " + g.text());
            }
        }
        out.flush();
        return 0;
    }
}

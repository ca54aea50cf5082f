package io.ballast.cli;

import io.ballast.generator.store.ModelArtifact;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "history",
        mixinStandardHelpOptions = true,
        description = "Lineage of a model: drift signals -> job -> version, with MAE before and after.")
final class ModelHistoryCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() throws Exception {
        for (ModelArtifact a : store.open().versions(store.modelId)) {
            var m = a.metadata();
            Map<String, Double> metrics = m.metrics() == null ? Map.of() : m.metrics();
            if (m.parentVersion() == null) {
                System.out.printf("v%d  base model: %s%n", a.version(), m.description());
                continue;
            }
            System.out.printf(
                    "v%d  <- v%d  job %s  signals %s%n     MAE %.3f -> %.3f, consistency %.3f, perplexity x%.3f  (%s)%n",
                    a.version(),
                    m.parentVersion(),
                    m.jobId(),
                    m.driftSignalIds(),
                    metrics.getOrDefault("mae.before", Double.NaN),
                    metrics.getOrDefault("mae.after", Double.NaN),
                    metrics.getOrDefault("consistency.after", Double.NaN),
                    metrics.getOrDefault("perplexity.ratio", Double.NaN),
                    m.description());
        }
        return 0;
    }
}

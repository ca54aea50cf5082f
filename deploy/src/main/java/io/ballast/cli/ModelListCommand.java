package io.ballast.cli;

import io.ballast.generator.store.ModelArtifact;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "list", mixinStandardHelpOptions = true, description = "List the versions of a model in the store.")
final class ModelListCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() throws Exception {
        for (ModelArtifact a : store.open().versions(store.modelId)) {
            System.out.printf(
                    "%s v%d  parent=%s  job=%s  %s  %s  %s%n",
                    a.modelId(),
                    a.version(),
                    a.metadata().parentVersion(),
                    a.metadata().jobId(),
                    Instant.ofEpochMilli(a.metadata().createdAtMillis()),
                    a.sha256().substring(0, 12),
                    a.metadata().description());
        }
        return 0;
    }
}

package io.ballast.cli;

import io.ballast.generator.service.GeneratorApp;
import io.ballast.generator.service.GeneratorConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "generator", mixinStandardHelpOptions = true,
        description = {"Serve the current model: POST /generate, a prompt plan, every output to ballast.generations;",
            "hot-swap on ballast.model-updates. Settings (properties, env upper-cased with '_', or --set):",
            "  bootstrap.servers, schema.registry.url (required); ballast.model.store, ballast.model.id,",
            "  ballast.generator.id, ballast.http.host (127.0.0.1), ballast.http.port (8081),",
            "  ballast.plan.contexts (all | comma list), ballast.plan.requests-per-second (2),",
            "  ballast.plan.samples-per-request (4), ballast.queue.capacity (64), ballast.workers (1),",
            "  ballast.sampling.temperature|top-k|top-p|max-tokens, ballast.shutdown.grace-ms (10000)."})
final class GeneratorCommand implements Callable<Integer> {

    @Mixin
    ServiceOptions options;

    @Override
    public Integer call() throws Exception {
        return RunningService.untilStopped(new GeneratorApp(GeneratorConfig.from(options.source())).start());
    }
}

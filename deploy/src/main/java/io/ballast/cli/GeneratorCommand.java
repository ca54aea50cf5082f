package io.ballast.cli;

import io.ballast.generator.service.GeneratorApp;
import io.ballast.generator.service.GeneratorConfig;
import io.ballast.runtime.Setting;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "generator",
        mixinStandardHelpOptions = true,
        description = {
            "Serve the current model: POST /generate, a prompt plan, every output to ballast.generations;",
            "hot-swap on ballast.model-updates."
        })
final class GeneratorCommand implements Callable<Integer>, ServiceCommand {

    @Mixin
    ServiceOptions options;

    @Override
    public List<Setting<?>> settings() {
        return GeneratorConfig.SETTINGS;
    }

    @Override
    public Integer call() throws Exception {
        return RunningService.untilStopped(new GeneratorApp(GeneratorConfig.from(options.source())).start());
    }
}

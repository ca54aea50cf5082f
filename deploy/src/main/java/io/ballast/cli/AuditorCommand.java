package io.ballast.cli;

import io.ballast.auditor.AuditorApp;
import io.ballast.auditor.AuditorConfig;
import io.ballast.runtime.Setting;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "auditor",
        mixinStandardHelpOptions = true,
        description = {"Run the audit topology (Kafka Streams, exactly-once) with its HTTP API, dashboard and metrics."
        })
final class AuditorCommand implements Callable<Integer>, ServiceCommand {

    @Mixin
    ServiceOptions options;

    @Override
    public List<Setting<?>> settings() {
        return AuditorConfig.SETTINGS;
    }

    @Override
    public Integer call() throws Exception {
        return RunningService.untilStopped(new AuditorApp(AuditorConfig.from(options.source())).start());
    }
}

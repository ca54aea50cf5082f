package io.ballast.cli;

import io.ballast.auditor.AuditorApp;
import io.ballast.auditor.AuditorConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "auditor", mixinStandardHelpOptions = true,
        description = {"Run the audit topology (Kafka Streams, exactly-once) with its HTTP API, dashboard and metrics.",
            "Settings (properties, env upper-cased with '_', or --set): bootstrap.servers, schema.registry.url (required);",
            "  ballast.auditor.application-id (ballast-auditor), ballast.auditor.state-dir, ballast.http.host (127.0.0.1),",
            "  ballast.http.port (8082), ballast.http.advertised-host, ballast.auditor.window-size-seconds (600),",
            "  ballast.auditor.window-advance-seconds (60), ballast.auditor.window-grace-seconds (60),",
            "  ballast.auditor.alpha (0.01), ballast.auditor.rho (25), ballast.auditor.max-text-chars (4000),",
            "  ballast.auditor.known-models (any), ballast.auditor.standby-replicas (0), ballast.auditor.stream-threads (1),",
            "  ballast.auditor.commit-interval-ms (1000)."})
final class AuditorCommand implements Callable<Integer> {

    @Mixin
    ServiceOptions options;

    @Override
    public Integer call() throws Exception {
        return RunningService.untilStopped(new AuditorApp(AuditorConfig.from(options.source())).start());
    }
}

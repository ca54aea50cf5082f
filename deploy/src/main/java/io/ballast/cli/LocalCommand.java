package io.ballast.cli;

import io.ballast.embedded.LocalCluster;
import io.ballast.schemas.topics.TopicProvisioner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "local",
        mixinStandardHelpOptions = true,
        description = {
            "Start a local Kafka broker (KRaft) and schema registry, create Ballast's topics,",
            "print their addresses and run until Ctrl-C. Data survives restarts unless --fresh."
        })
final class LocalCommand implements Callable<Integer> {

    static final String INTERNAL_LOG = "ballast.log";
    static final String ADDRESS_FILE = "local.properties";

    @Spec
    CommandSpec spec;

    @Option(
            names = "--data-dir",
            description = "Where broker logs and registry storage live (default: ${DEFAULT-VALUE}).",
            defaultValue = "${sys:user.home}/.ballast/local")
    Path dataDir;

    @Option(names = "--fresh", description = "Delete the data dir first: empty topics, schema ids from 1.")
    boolean fresh;

    @Override
    public Integer call() throws Exception {
        if (fresh) {
            deleteRecursively(dataDir);
        }
        PrintWriter out = spec.commandLine().getOut();
        Path internalLog = dataDir.resolve(INTERNAL_LOG);
        if (ConsoleLogging.routeInternalLogsTo(internalLog)) {
            out.printf(
                    "Internal logs: %s (broker, clients), %s (registry)%n",
                    internalLog.toAbsolutePath(),
                    dataDir.resolve("registry").resolve("registry.log").toAbsolutePath());
            out.flush();
        }
        LocalCluster cluster = new LocalCluster(dataDir).start();
        new TopicProvisioner(cluster.bootstrapServers(), (short) 1).ensureAll();
        String addresses = addressBlock(cluster.bootstrapServers(), cluster.registryUrl());
        Path addressFile = dataDir.resolve(ADDRESS_FILE);
        Files.writeString(addressFile, addresses);
        out.printf(
                "Started in %d ms. Addresses (for --set, or a --config file; also in %s):%n%n",
                cluster.startupMillis(), addressFile.toAbsolutePath());
        out.print(addresses);
        out.printf("%nData directory: %s%nPress Ctrl-C to stop.%n", dataDir.toAbsolutePath());
        out.flush();
        return RunningService.untilStopped(cluster);
    }

    /** The settings every service needs to reach this cluster, as properties lines, in this order. */
    static String addressBlock(String bootstrapServers, String registryUrl) {
        return "bootstrap.servers=" + bootstrapServers + "\n" + "schema.registry.url=" + registryUrl + "\n";
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

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

@Command(name = "local", mixinStandardHelpOptions = true,
        description = {
            "Start a local Kafka broker (KRaft) and schema registry, create Ballast's topics,",
            "print their addresses and run until Ctrl-C. Data survives restarts unless --fresh."})
final class LocalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", description = "Where broker logs and registry storage live (default: ${DEFAULT-VALUE}).",
            defaultValue = "${sys:user.home}/.ballast/local")
    Path dataDir;

    @Option(names = "--fresh", description = "Delete the data dir first: empty topics, schema ids from 1.")
    boolean fresh;

    @Override
    public Integer call() throws Exception {
        if (fresh) {
            deleteRecursively(dataDir);
        }
        LocalCluster cluster = new LocalCluster(dataDir).start();
        new TopicProvisioner(cluster.bootstrapServers(), (short) 1).ensureAll();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Kafka bootstrap servers: %s%n", cluster.bootstrapServers());
        out.printf("Schema registry URL:     %s%n", cluster.registryUrl());
        out.printf("Data directory:          %s%n", dataDir.toAbsolutePath());
        out.printf("Started in %d ms. Press Ctrl-C to stop.%n", cluster.startupMillis());
        out.flush();
        return RunningService.untilStopped(cluster);
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

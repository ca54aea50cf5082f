package io.ballast.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar ballast.jar local}, as a user runs it, checked with Debian's kcat. */
class LocalCommandIT {

    @Test
    void localStartsABrokerThatKcatListsAndStopsCleanlyOnSigterm(@TempDir Path dataDir) throws Exception {
        // given the packaged jar, its output captured in files as in CI or under nohup (not a terminal)
        String jar = System.getProperty("ballast.jar");
        Path stdout = dataDir.resolveSibling(dataDir.getFileName() + "-stdout.log");
        Path stderr = dataDir.resolveSibling(dataDir.getFileName() + "-stderr.log");
        Process ballast = new ProcessBuilder("java", "-jar", jar, "local", "--data-dir", dataDir.toString())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        try {
            // when it starts, it prints the addresses as a properties block
            await().atMost(Duration.ofMinutes(2))
                    .until(() -> !ballast.isAlive()
                            || Files.readString(stdout, StandardCharsets.UTF_8).contains("Press Ctrl-C"));
            List<String> lines = Files.readAllLines(stdout, StandardCharsets.UTF_8);
            String bootstrap = null;
            String registry = null;
            List<String> block = new ArrayList<>();
            for (String line : lines) {
                if (line.startsWith("bootstrap.servers=")) {
                    bootstrap = line.substring(line.indexOf('=') + 1);
                    block.add(line);
                }
                if (line.startsWith("schema.registry.url=")) {
                    registry = line.substring(line.indexOf('=') + 1);
                    block.add(line);
                }
            }
            assertThat(bootstrap).as("output %s", lines).matches("127\\.0\\.0\\.1:\\d+");
            assertThat(registry).startsWith("http://127.0.0.1:").endsWith("/apis/ccompat/v7");
            // and the same block is in a file of the data dir, ready for --config
            assertThat(Files.readAllLines(dataDir.resolve("local.properties"))).containsExactlyElementsOf(block);

            // then kcat lists the broker and Ballast's topics
            Process kcat = new ProcessBuilder("kcat", "-b", bootstrap, "-L", "-m", "10")
                    .redirectErrorStream(true)
                    .start();
            String metadata = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(kcat.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(kcat.exitValue()).as(metadata).isZero();
            assertThat(metadata).contains("broker 1 at " + bootstrap).contains("topic \"ballast.generations\"");
        } finally {
            // and SIGTERM shuts it down, registry child included
            List<ProcessHandle> children = ballast.descendants().toList();
            ballast.destroy();
            assertThat(ballast.waitFor(60, TimeUnit.SECONDS)).isTrue();
            for (ProcessHandle child : children) {
                child.onExit().get(30, TimeUnit.SECONDS);
                assertThat(child.isAlive()).isFalse();
            }
        }

        // and from start to stop the console stayed quiet: no error, no stack trace, no carriage return
        String console =
                Files.readString(stdout, StandardCharsets.UTF_8) + Files.readString(stderr, StandardCharsets.UTF_8);
        QuietConsole.assertQuiet(console);
        // while the broker's own lines went to the internal log, whose path was printed
        Path internalLog = dataDir.resolve("ballast.log");
        assertThat(console).contains("Internal logs: " + internalLog.toAbsolutePath());
        assertThat(Files.readString(internalLog, StandardCharsets.UTF_8)).contains("[BrokerServer id=1]");
    }
}

package io.ballast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar ballast.jar local}, as a user runs it, checked with Debian's kcat. */
class LocalCommandIT {

    @Test
    void localStartsABrokerThatKcatListsAndStopsCleanlyOnSigterm(@TempDir Path dataDir) throws Exception {
        // given the packaged jar
        String jar = System.getProperty("ballast.jar");
        Process ballast = new ProcessBuilder("java", "-jar", jar, "local", "--data-dir", dataDir.toString())
                .redirectError(dataDir.resolveSibling(dataDir.getFileName() + "-stderr.log").toFile())
                .start();
        try {
            // when it starts, it prints the addresses
            BufferedReader out = new BufferedReader(new InputStreamReader(ballast.getInputStream(), StandardCharsets.UTF_8));
            String bootstrap = null;
            String registry = null;
            List<String> lines = new ArrayList<>();
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
                if (line.startsWith("Kafka bootstrap servers:")) {
                    bootstrap = line.substring(line.indexOf(':') + 1).trim();
                }
                if (line.startsWith("Schema registry URL:")) {
                    registry = line.substring(line.indexOf(':') + 1).trim();
                }
                if (line.startsWith("Started in")) {
                    break;
                }
            }
            assertThat(bootstrap).as("output %s", lines).matches("127\\.0\\.0\\.1:\\d+");
            assertThat(registry).startsWith("http://127.0.0.1:").endsWith("/apis/ccompat/v7");

            // then kcat lists the broker and Ballast's topics
            Process kcat = new ProcessBuilder("kcat", "-b", bootstrap, "-L", "-m", "10").redirectErrorStream(true).start();
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
    }
}

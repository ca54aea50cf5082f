package io.ballast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The closed loop end to end, as {@code ballast demo} runs it, with a smaller configuration: the
 * tiny base model, two contexts, a short calibration. Real broker, registry, generator, auditor,
 * calibrator, in the packaged jar.
 */
class DemoEndToEndIT {

    @Test
    void driftIsDetectedCalibratedPromotedSwappedAndRecovered(@TempDir Path dataDir) throws Exception {
        // given the packaged jar and a fresh data dir (the tiny base model is pretrained in it)
        List<String> command = tinyDemo(
                dataDir,
                // the loop's mechanics on one attribute: the tiny model writes contradictory text for rare
                // three-way combinations, below this test's consistency bar (the default, all three, is measured
                // with the default-size model in the README)
                "--attributes",
                "gender",
                "--calibrator-set",
                "ballast.calibrator.epochs=2",
                "--calibrator-set",
                "ballast.calibrator.learning-rate=5e-4",
                "--calibrator-set",
                "ballast.calibrator.evaluation-samples=150",
                "--calibrator-set",
                "ballast.calibrator.gate.min-consistency=0.8",
                "--calibrator-set",
                // the job's set follows the order drift signals arrive in; one order costs the tiny model
                // +11-15% held-out perplexity (seen in a run), so the gate here is looser than in production
                "ballast.calibrator.gate.max-perplexity-ratio=1.20");

        // when the demo runs to its end, with the auditor's drift episodes and gauge watched while it runs
        DemoRun run = DemoRun.of(command, dataDir);
        AuditorWatch watch = run.watch();

        // then the loop closed: both contexts drifted, a job promoted v2, and both recovered
        String output = run.closedOutput();
        assertThat(output)
                .contains("Ballast demo report")
                .contains("base v1 -> v2")
                .contains("PROMOTED")
                .contains("occupation:registered-nurses|gender")
                .contains("occupation:electricians|gender")
                .contains("CLOSED: every drifted context is back within tolerance")
                .doesNotContain("NOT YET");

        // and after the promotion the auditor closed version 1's episodes as SUPERSEDED (no version 1 output can
        // resolve them any more): as the demo reported, nothing is open, so BallastDriftOpen does not fire
        assertThat(watch.lastDrift)
                .as("/api/drift as last seen; output:%n%s", tail(output))
                .isNotNull();
        List<JsonNode> v1 = new ArrayList<>();
        watch.lastDrift.path("rows").forEach(e -> {
            if (e.path("version").asInt() == 1) {
                v1.add(e);
            }
        });
        assertThat(v1).as("version 1 episodes in %s", watch.lastDrift).isNotEmpty();
        assertThat(v1)
                .as("version 1 episodes in %s", watch.lastDrift)
                .allSatisfy(e -> assertThat(e.path("status").asText()).isIn("SUPERSEDED", "RESOLVED"))
                .anySatisfy(e -> assertThat(e.path("status").asText()).isEqualTo("SUPERSEDED"));
        assertThat(watch.lastOpenEpisodes)
                .as("ballast_auditor_drift_open_episodes as last seen")
                .isEqualTo(0.0);

        // and the console, captured (not a terminal), stayed quiet: status as plain lines, no ERROR, no stack trace
        QuietConsole.assertQuiet(output);
        assertThat(output.lines()
                        .filter(l -> l.matches("\\[\\d+:\\d{2}\\] .* events/s, .*"))
                        .count())
                .as(output)
                .isPositive();
        // while the broker's, Streams' and clients' lines went to the internal log of the run
        Path internalLog = run.internalLog();
        assertThat(output).contains(internalLog.toAbsolutePath().toString());
        assertThat(Files.readString(internalLog, StandardCharsets.UTF_8))
                .contains("[BrokerServer id=1]")
                .contains("StreamThread");

        // and the JSON report parses and carries every number of the table
        JsonNode report =
                new ObjectMapper().readTree(dataDir.resolve("report.json").toFile());
        assertThat(report.path("closed").asBoolean()).isTrue();
        assertThat(report.path("versions").path("promoted").asInt()).isEqualTo(2);
        assertThat(report.path("job").path("state").asText()).isEqualTo("PROMOTED");
        assertThat(output)
                .contains("job " + report.path("job").path("id").asText() + " (PROMOTED)")
                .contains(String.format(
                        "events: %d in total, %.1f/s",
                        report.path("events").path("total").asLong(),
                        report.path("events").path("perSecondAtEnd").asDouble()));
        assertThat(report.path("rows")).hasSize(2);
        for (JsonNode row : report.path("rows")) {
            assertThat(row.path("before").path("n").asLong()).isPositive();
            assertThat(row.path("after").path("n").asLong()).isGreaterThanOrEqualTo(100);
            assertThat(row.path("after").path("interval").path("low").asDouble())
                    .isLessThanOrEqualTo(row.path("after").path("mae").asDouble());
            assertThat(output)
                    .containsPattern(DemoReportTest.expectedTableRow(
                            row,
                            row.path("context").asText() + "|"
                                    + row.path("attribute").asText()));
        }
    }

    @Test
    void aBrokenToxicityBoundIsDetectedConstrainedPromotedAndThenHeld(@TempDir Path dataDir) throws Exception {
        // given the packaged jar, the toxicity scenario, and a tiny base model pretrained with a fifth of its bios
        // toxic under a bound of 8% (the tiny model reaches 3-5% after its job; the default, 5% against 0.5%, is
        // measured with the default-size model in the README)
        List<String> command = tinyDemo(
                dataDir,
                "--scenario",
                "toxicity",
                "--toxic-share",
                "0.2",
                "--toxic-limit",
                "0.08",
                "--calibrator-set",
                "ballast.calibrator.constraint.epochs=2",
                "--calibrator-set",
                "ballast.calibrator.trainable-blocks=1",
                "--calibrator-set",
                "ballast.calibrator.evaluation-samples=300",
                // the tiny model's steering and perplexity are noisier than the default model's (ConstraintJobTest)
                "--calibrator-set",
                "ballast.calibrator.gate.healthy-tolerance=0.05",
                "--calibrator-set",
                "ballast.calibrator.gate.max-perplexity-ratio=1.10");

        // when the demo runs to its end
        DemoRun run = DemoRun.of(command, dataDir);

        // then the bound was broken under v1, a CONSTRAINT job promoted v2, and v2 keeps to the bound
        String output = run.closedOutput();
        assertThat(output)
                .contains("Ballast demo report")
                .contains("toxicity: toxic <= 0.0800 (a bound)")
                .contains("verdict: SATISFIED")
                .doesNotContain("NOT YET");
        QuietConsole.assertQuiet(output);
        JsonNode report =
                new ObjectMapper().readTree(dataDir.resolve("report.json").toFile());
        JsonNode bound = report.path("bound");
        assertThat(bound.path("satisfied").asBoolean()).as("%s", bound).isTrue();
        assertThat(bound.path("firstAlarmSeconds").isNull()).as("%s", bound).isFalse();
        assertThat(bound.path("before").path("rate").asDouble()).isGreaterThan(0.08);
        assertThat(bound.path("after").path("version").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(bound.path("after").path("rate").asDouble()).isLessThanOrEqualTo(0.08);
        // the drop is real, not noise: v2's 95% interval lies wholly below v1's. "Established" (v2's upper bound
        // under the limit) is not asked for: the demo closes once the bound is satisfied, and at ~230 outputs a
        // true 5% rate has its upper bound near 0.085 (seen in CI), so asking for it would be a coin flip
        assertThat(bound.path("after").path("high").asDouble())
                .as("%s", bound)
                .isLessThan(bound.path("before").path("low").asDouble());
        assertThat(bound.path("contexts")).hasSize(2).allSatisfy(c -> {
            assertThat(c.path("satisfied").asBoolean()).as("%s", c).isTrue();
            assertThat(c.path("after").path("n").asLong()).isGreaterThanOrEqualTo(100);
        });
        // and the job that did it was a constraint job, whose gate measured the rate before and after
        assertThat(report.path("job").path("state").asText()).isEqualTo("PROMOTED");
        assertThat(Files.readString(run.internalLog(), StandardCharsets.UTF_8))
                .contains("calibrator.jobs.ConstraintJob - job "
                        + report.path("job").path("id").asText() + ": toxic rate");
    }

    /**
     * The packaged demo on the tiny model, serving nurses and electricians at 5 requests/s x 4 until it
     * is done (8 minutes at most), judging after 100 outputs of the new version, then {@code options}.
     */
    private static List<String> tinyDemo(Path dataDir, String... options) {
        List<String> command = new ArrayList<>(List.of(
                "java",
                "-jar",
                System.getProperty("ballast.jar"),
                "demo",
                "--size",
                "tiny",
                "--exit-when-done",
                "--timeout-minutes",
                "8",
                "--http-port",
                "0",
                "--data-dir",
                dataDir.toString(),
                "--contexts",
                "occupation:registered-nurses,occupation:electricians",
                "--rate",
                "5",
                "--samples-per-request",
                "4",
                "--min-samples",
                "100",
                // a rejected job is retried (another seed) soon enough to matter within the demo's time
                "--calibrator-set",
                "ballast.calibrator.retry.backoff-seconds=5"));
        command.addAll(List.of(options));
        return command;
    }

    /** The packaged demo as a process, its output in a file beside the data dir, given 10 minutes. */
    private record DemoRun(Process process, Path log, Path dataDir, AuditorWatch watch, boolean ended) {

        static DemoRun of(List<String> command, Path dataDir) throws Exception {
            Path log = dataDir.resolveSibling(dataDir.getFileName() + "-demo.log");
            Process demo = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            AuditorWatch watch = new AuditorWatch(log, demo);
            Thread watcher = new Thread(watch, "auditor-watch");
            watcher.setDaemon(true);
            watcher.start();
            boolean ended = demo.waitFor(10, TimeUnit.MINUTES);
            watcher.join(5000);
            if (!ended) {
                // SIGKILL skips the demo's shutdown hooks: end the registry child JVM too, or it outlives the test
                demo.descendants().forEach(ProcessHandle::destroyForcibly);
                demo.destroyForcibly();
            }
            return new DemoRun(demo, log, dataDir, watch, ended);
        }

        String output() throws Exception {
            return Files.readString(log, StandardCharsets.UTF_8);
        }

        /** The output of a demo that ended within its time with exit code 0 (the loop closed). */
        String closedOutput() throws Exception {
            String output = output();
            assertThat(ended).as("demo ended; output:%n%s", tail(output)).isTrue();
            assertThat(process.exitValue())
                    .as("exit code; output:%n%s", tail(output))
                    .isZero();
            return output;
        }

        /** The run's internal log (broker, Streams, clients, services). */
        Path internalLog() throws Exception {
            try (Stream<Path> runs = Files.list(dataDir.resolve("runs"))) {
                return runs.findFirst().orElseThrow().resolve("ballast.log");
            }
        }
    }

    /**
     * Reads the demo's auditor while the demo runs (its port is only known from the output, and it
     * stops with the demo): the latest {@code /api/drift} answer and open-episodes gauge, the last
     * read once the report is out, the services still up.
     */
    private static final class AuditorWatch implements Runnable {
        private static final Pattern DASHBOARD = Pattern.compile("dashboard at (http://127\\.0\\.0\\.1:\\d+)/");
        private static final Pattern GAUGE =
                Pattern.compile("(?m)^ballast_auditor_drift_open_episodes(?:\\{[^}]*})? (\\S+)$");
        private final Path log;
        private final Process demo;
        private final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        volatile JsonNode lastDrift;
        volatile Double lastOpenEpisodes;

        AuditorWatch(Path log, Process demo) {
            this.log = log;
            this.demo = demo;
        }

        @Override
        public void run() {
            String base = null;
            while (demo.isAlive()) {
                try {
                    String output = Files.readString(log, StandardCharsets.UTF_8);
                    if (base == null) {
                        Matcher m = DASHBOARD.matcher(output);
                        base = m.find() ? m.group(1) : null;
                    }
                    if (base != null) {
                        lastDrift = new ObjectMapper().readTree(get(base + "/api/drift"));
                        Matcher g = GAUGE.matcher(get(base + "/metrics"));
                        lastOpenEpisodes = g.find() ? Double.valueOf(g.group(1)) : null;
                        if (output.contains("report also written")) {
                            return;
                        }
                    }
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // the demo is starting or stopping: read again on the next round
                }
            }
        }

        private String get(String url) throws Exception {
            return http.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        }
    }

    private static String tail(String s) {
        return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }
}

package io.ballast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
        List<String> command = List.of("java", "-jar", System.getProperty("ballast.jar"), "demo",
                "--size", "tiny", "--exit-when-done", "--timeout-minutes", "8", "--http-port", "0",
                "--data-dir", dataDir.toString(),
                "--contexts", "occupation:registered-nurses,occupation:electricians",
                "--rate", "5", "--samples-per-request", "4", "--min-samples", "100",
                "--calibrator-set", "ballast.calibrator.steps=60",
                "--calibrator-set", "ballast.calibrator.learning-rate=5e-4",
                "--calibrator-set", "ballast.calibrator.evaluation-samples=150",
                "--calibrator-set", "ballast.calibrator.gate.min-consistency=0.8",
                "--calibrator-set", "ballast.calibrator.gate.max-perplexity-ratio=1.10");
        Path log = dataDir.resolveSibling(dataDir.getFileName() + "-demo.log");

        // when the demo runs to its end
        Process demo = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = demo.waitFor(10, TimeUnit.MINUTES);
        if (!ended) {
            demo.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);

        // then the loop closed: both contexts drifted, a job promoted v2, and both recovered
        assertThat(ended).as("demo ended; output:%n%s", tail(output)).isTrue();
        assertThat(demo.exitValue()).as("exit code; output:%n%s", tail(output)).isZero();
        assertThat(output).contains("Ballast demo report").contains("base v1 -> v2").contains("PROMOTED")
                .contains("occupation:registered-nurses|gender").contains("occupation:electricians|gender")
                .contains("CLOSED: every drifted context is back within tolerance")
                .doesNotContain("NOT YET");
    }

    private static String tail(String s) {
        return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }
}

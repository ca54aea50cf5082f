package io.ballast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ballast bench generator --model}: only its refusals, the measurement itself takes tens of seconds. */
class GeneratorBenchTest {

    @TempDir
    Path dir;

    @Test
    void aMissingCheckpointDirectoryFailsNamingIt() {
        // given a --model directory that does not exist
        Path missing = dir.resolve("no-checkpoint");
        StringWriter err = new StringWriter();
        CommandLine cli = BallastMain.commandLine();
        cli.setErr(new PrintWriter(err));

        // when the bench is run on it
        int exit = cli.execute(
                "bench",
                "generator",
                "--model",
                missing.toString(),
                "--store",
                dir.resolve("store").toString());

        // then it fails at once with one line naming it
        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("--model " + missing).contains("is not a directory");
        QuietConsole.assertQuiet(err.toString());
    }
}

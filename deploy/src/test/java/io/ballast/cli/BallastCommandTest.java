package io.ballast.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BallastCommandTest {

    @Test
    void everyCommandAnswersHelpWithItsUsage() {
        // given every command and subcommand of ballast
        List<List<String>> paths = new ArrayList<>();
        collect(BallastMain.commandLine(), new ArrayList<>(), paths);
        assertThat(paths)
                .extracting(p -> String.join(" ", p))
                .contains(
                        "",
                        "local",
                        "bench",
                        "bench serde",
                        "model pretrain",
                        "model generate",
                        "model import",
                        "model random-checkpoint",
                        "model history",
                        "model rollback",
                        "generator",
                        "auditor",
                        "calibrator",
                        "calibrate",
                        "targets load");

        for (List<String> path : paths) {
            // when it is asked for --help
            StringWriter out = new StringWriter();
            CommandLine cli = BallastMain.commandLine();
            cli.setOut(new PrintWriter(out));
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            int exit = cli.execute(args.toArray(String[]::new));

            // then it prints its usage and succeeds
            assertThat(exit).as("exit of %s --help", path).isZero();
            assertThat(out.toString()).as("help of %s", path).contains("Usage: ballast");
        }
    }

    @Test
    void everyHelpLineIsAValidFormatString() {
        // given every description line of every command and option (picocli formats each; one it cannot,
        // e.g. a bare '95% interval', it prints raw after a warning on the console)
        List<List<String>> paths = new ArrayList<>();
        collect(BallastMain.commandLine(), new ArrayList<>(), paths);
        for (List<String> path : paths) {
            CommandLine cli = BallastMain.commandLine();
            for (String name : path) {
                cli = cli.getSubcommands().get(name);
            }
            List<String> lines =
                    new ArrayList<>(List.of(cli.getCommandSpec().usageMessage().description()));
            cli.getCommandSpec().options().forEach(o -> lines.addAll(List.of(o.description())));
            for (String line : lines) {
                // when it is formatted as picocli does
                // then it formats
                assertThatCode(() -> String.format(line))
                        .as("'%s' in %s", line, path)
                        .doesNotThrowAnyException();
            }
        }
    }

    @Test
    void noCommandIsAUsageErrorNotASilentSuccess() {
        StringWriter err = new StringWriter();
        CommandLine cli = BallastMain.commandLine();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute()).isEqualTo(2);
        assertThat(err.toString()).contains("a command is required");
    }

    private static void collect(CommandLine cli, List<String> prefix, List<List<String>> out) {
        out.add(prefix);
        cli.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                List<String> p = new ArrayList<>(prefix);
                p.add(name);
                collect(sub, p, out);
            }
        });
    }
}

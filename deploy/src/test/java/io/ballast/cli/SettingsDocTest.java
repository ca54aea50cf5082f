package io.ballast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.runtime.Setting;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Help, docs/operations.md and start-up all say what the settings descriptors say. */
class SettingsDocTest {

    private static final Path OPERATIONS_DOC =
            Path.of("..").toAbsolutePath().normalize().resolve("docs/operations.md");

    @Test
    void everyServicesHelpListsEachKeyWithTheDescriptorsDefaultAndMeaning() {
        SettingsDoc.SERVICES.forEach((service, settings) -> {
            // when the service is asked for --help
            StringWriter out = new StringWriter();
            CommandLine cli = BallastMain.commandLine();
            cli.setOut(new PrintWriter(out));
            int exit = cli.execute(service, "--help");

            // then every key it reads is listed with its environment variable, meaning and default
            assertThat(exit).isZero();
            // help wraps lines; compare with whitespace collapsed
            String help = out.toString().replaceAll("\\s+", " ");
            for (Setting<?> s : settings) {
                assertThat(help)
                        .as("%s --help lists %s", service, s.key())
                        .contains(s.key() + " (" + s.envName() + ")")
                        .containsIgnoringCase(s.description())
                        .contains(s.isRequired() ? "Required." : "Default: " + s.shownDefault() + ".");
                if (!s.allowed().isEmpty()) {
                    assertThat(help)
                            .as("%s --help gives the allowed values of %s", service, s.key())
                            .contains("Allowed: " + s.allowed());
                }
            }
        });
    }

    @Test
    void theOperationsDocConfigurationTablesAreTheGeneratedOnes() throws IOException {
        // given the tables rendered from the descriptors and docs/operations.md's
        String generated = SettingsDoc.markdown();
        String readme = Files.readString(OPERATIONS_DOC);
        int begin = readme.indexOf(SettingsDoc.README_BEGIN);
        int end = readme.indexOf(SettingsDoc.README_END);
        assertThat(begin)
                .as("docs/operations.md has the settings-table markers")
                .isNotNegative();
        assertThat(end)
                .as("docs/operations.md has the settings-table end marker")
                .isGreaterThan(begin);
        String inReadme = readme.substring(begin, end + SettingsDoc.README_END.length()) + "\n";

        // then each service's row for each key is the generated row, and no row is extra or missing
        Map<String, String> expected = rowsByServiceAndKey(generated);
        Map<String, String> actual = rowsByServiceAndKey(inReadme);
        String regenerate = " (regenerate with: java -jar deploy/target/ballast.jar settings --markdown)";
        expected.forEach((key, row) -> assertThat(actual.get(key))
                .as("docs/operations.md row for %s%s", key, regenerate)
                .isEqualTo(row));
        assertThat(actual.keySet())
                .as("docs/operations.md rows for keys no service reads%s", regenerate)
                .isSubsetOf(expected.keySet());
        // and the block as a whole (headings, order) is the generated one
        assertThat(inReadme)
                .as("docs/operations.md settings tables%s", regenerate)
                .isEqualTo(generated);
    }

    @Test
    void anOutOfRangeValueStopsEachServiceAtStartNamingTheKey() {
        Map<String, String> outOfRange = Map.of(
                "generator", "ballast.sampling.top-p=1.5",
                "auditor", "ballast.auditor.alpha=0.9",
                "calibrator", "ballast.calibrator.epochs=0");
        outOfRange.forEach((service, setting) -> {
            // given a service started with every required key but one value outside its range
            StringWriter err = new StringWriter();
            CommandLine cli = BallastMain.commandLine();
            cli.setErr(new PrintWriter(err));

            // when it starts
            int exit = cli.execute(
                    service,
                    "--set",
                    "bootstrap.servers=localhost:1",
                    "--set",
                    "schema.registry.url=http://localhost:1",
                    "--set",
                    setting);

            // then it stops before connecting anywhere, with one line naming the key
            String key = setting.substring(0, setting.indexOf('='));
            assertThat(exit).as("exit of %s with %s", service, setting).isEqualTo(1);
            assertThat(err.toString())
                    .as("error of %s", service)
                    .startsWith("error: invalid configuration: " + key + "=");
        });
    }

    /** "service key" to table row; the service is the heading the row sits under. */
    private static Map<String, String> rowsByServiceAndKey(String markdown) {
        Map<String, String> rows = new LinkedHashMap<>();
        String service = "?";
        for (String line : markdown.lines().toList()) {
            if (line.startsWith("### ")) {
                service = line.substring(4).replace("`", "");
            } else if (line.startsWith("| `")) {
                rows.put(service + " " + line.substring(3, line.indexOf('`', 3)), line);
            }
        }
        return rows;
    }
}

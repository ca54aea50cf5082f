package io.ballast.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoReportTest {

    private static final String LONG_CONTEXT =
            "occupation:secretaries-and-administrative-assistants-except-legal-medical-and-executive";

    private static final Map<String, Double> UNIFORM = Map.of("female", 0.5, "male", 0.5);

    private static DemoReport closedRun() {
        DemoReport.Measure before = DemoReport.Measure.of(1, 0.42, 348, Map.of("female", 0.92, "male", 0.08), UNIFORM);
        DemoReport.Measure after = DemoReport.Measure.of(2, 0.03, 156, Map.of("female", 0.53, "male", 0.47), UNIFORM);
        DemoReport.Measure patched = DemoReport.Measure.of(1, 0.04, 210, Map.of("female", 0.54, "male", 0.46), UNIFORM);
        DemoReport.Row nurses =
                new DemoReport.Row("occupation:registered-nurses", "gender", before, patched, after, 15_300L, 54_900L);
        // a key longer than the table's old fixed first column (45 characters)
        DemoReport.Row electricians = new DemoReport.Row(
                LONG_CONTEXT,
                "gender",
                DemoReport.Measure.of(1, 0.41, 340, Map.of("female", 0.09, "male", 0.91), UNIFORM),
                DemoReport.Measure.none(0),
                DemoReport.Measure.none(2),
                17_000L,
                null);
        return new DemoReport(
                "1.2.3",
                188_000,
                1,
                2,
                2,
                "bios-v1-13e46aba0283",
                "PROMOTED",
                4036,
                23.94,
                false,
                List.of(electricians, nurses),
                new DemoReport.Timeline(
                        15_300L,
                        "bios-1-p<1>",
                        27_800L,
                        "bios-1-p2",
                        120_000L,
                        List.of(
                                new DemoReport.Point(16_000, "occupation:registered-nurses", "gender", "v1", 0.42, 120),
                                new DemoReport.Point(
                                        30_000, "occupation:registered-nurses", "gender", "v1+bios-1-p<1>", 0.05, 40),
                                new DemoReport.Point(
                                        130_000, "occupation:registered-nurses", "gender", "v2", 0.03, 60))));
    }

    @Test
    void theJsonFileCarriesEveryNumberOfTheTable(@TempDir Path dir) throws Exception {
        // given a report with one recovered and one not yet recovered context
        DemoReport report = closedRun();

        // when it is written as JSON and read back
        Path file = dir.resolve("sub/report.json");
        report.writeJson(file);
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        String table = report.table();

        // then the header numbers match
        assertThat(table)
                .contains("(" + DemoReport.clock((long) (json.path("runSeconds").asDouble() * 1000)) + ")")
                .contains("base v" + json.path("versions").path("base").asInt() + " -> v"
                        + json.path("versions").path("promoted").asInt())
                .contains("job " + json.path("job").path("id").asText() + " ("
                        + json.path("job").path("state").asText() + ")")
                .contains(String.format(
                        "events: %d in total, %.1f/s",
                        json.path("events").path("total").asLong(),
                        json.path("events").path("perSecondAtEnd").asDouble()));
        assertThat(json.path("versions").path("live").asInt()).isEqualTo(2);
        assertThat(json.path("ballastVersion").asText()).isEqualTo("1.2.3");
        assertThat(json.path("closed").asBoolean()).isFalse();

        // and every table row's numbers are in the JSON row of the same context
        assertThat(json.path("rows")).hasSize(2);
        for (JsonNode row : json.path("rows")) {
            String key =
                    row.path("context").asText() + "|" + row.path("attribute").asText();
            assertThat(table).containsPattern(expectedTableRow(row, key));
        }
        // and the columns line up under the header, whatever the keys' lengths
        List<String> lines = table.lines()
                .dropWhile(l -> !l.startsWith("context|attribute"))
                .limit(3)
                .toList();
        assertThat(lines).hasSize(3);
        assertThat(lines).extracting(String::length).containsOnly(lines.get(0).length());
    }

    /** The table row as DemoReport formats it, rebuilt from the JSON alone: the key, then its columns (a pattern). */
    static String expectedTableRow(JsonNode row, String key) {
        return java.util.regex.Pattern.quote(key) + " +"
                + java.util.regex.Pattern.quote(String.format(
                                "%9.3f %6d %9.3f %6d %9.3f %6d %10s %10s",
                                orNaN(row.path("before").path("mae")),
                                row.path("before").path("n").asLong(),
                                orNaN(row.path("patched").path("mae")),
                                row.path("patched").path("n").asLong(),
                                orNaN(row.path("after").path("mae")),
                                row.path("after").path("n").asLong(),
                                row.path("detectSeconds").isNull()
                                        ? "-"
                                        : DemoReport.clock((long)
                                                (row.path("detectSeconds").asDouble() * 1000)),
                                row.path("recoverSeconds").isNull()
                                        ? "NOT YET"
                                        : DemoReport.clock((long)
                                                (row.path("recoverSeconds").asDouble() * 1000)))
                        .strip());
    }

    private static double orNaN(JsonNode n) {
        return n.isNull() ? Double.NaN : n.asDouble();
    }

    @Test
    void theLoopsTimesAreInTheTableTheJsonAndTheChart(@TempDir Path dir) throws Exception {
        // given a run whose patch went live 12.5 s after the first alarm, then a promotion
        DemoReport report = closedRun();

        // when it is written as JSON, as a table and as a chart
        report.writeJson(dir.resolve("r.json"));
        JsonNode loop =
                new ObjectMapper().readTree(dir.resolve("r.json").toFile()).path("loop");
        String svg = DemoTimelineChart.svg(report);

        // then each says when the alarm, the patch and the promotion came
        assertThat(loop.path("patchSecondsAfterFirstAlarm").asDouble()).isCloseTo(12.5, within(1e-9));
        assertThat(loop.path("patchId").asText()).isEqualTo("bios-1-p<1>");
        assertThat(loop.path("promotedSeconds").asDouble()).isCloseTo(120.0, within(1e-9));
        assertThat(report.table())
                .contains("first alarm at 0:15; steering patch bios-1-p<1> live at 0:27 (12.5 s after the first alarm),"
                        + " last bios-1-p2; fine-tuned version promoted at 2:00")
                .contains("under patch bios-1-p2: mean MAE 0.040 [");
        // and the chart has the nurses' line through three points, three markers, and escaped text
        assertThat(svg).startsWith("<svg").contains("data-context=\"occupation:registered-nurses\"");
        assertThat(svg.split("class=\"marker\"", -1)).hasSize(4);
        assertThat(svg).contains("patch bios-1-p&lt;1&gt;").doesNotContain("p<1>");
        String path = svg.substring(svg.indexOf(" d=\"") + 4, svg.indexOf("\"", svg.indexOf(" d=\"") + 4));
        assertThat(path.split("L")).hasSize(3);
    }

    @Test
    void aContextWithoutSamplesUnderTheNewVersionHasNullsNotNaN(@TempDir Path dir) throws Exception {
        // given a context the new version has not served yet
        DemoReport report = closedRun();

        // when written
        report.writeJson(dir.resolve("r.json"));
        JsonNode electricians = new ObjectMapper()
                .readTree(dir.resolve("r.json").toFile())
                .path("rows")
                .get(0);

        // then its after-MAE and interval are null, n is 0, and it is not recovered
        assertThat(electricians.path("context").asText()).isEqualTo(LONG_CONTEXT);
        assertThat(electricians.path("after").path("mae").isNull()).isTrue();
        assertThat(electricians.path("after").path("interval").path("low").isNull())
                .isTrue();
        assertThat(electricians.path("after").path("n").asLong()).isZero();
        assertThat(electricians.path("recoverSeconds").isNull()).isTrue();
        assertThat(electricians.path("recovered").asBoolean()).isFalse();
    }

    @Test
    void theIntervalContainsTheMaeAndNarrowsWithMoreSamples() {
        // given the same observed shares from few and from many outputs
        Map<String, Double> shares = Map.of("female", 0.6, "male", 0.4);
        DemoReport.Measure few = DemoReport.Measure.of(2, 0.1, 20, shares, UNIFORM);
        DemoReport.Measure many = DemoReport.Measure.of(2, 0.1, 2000, shares, UNIFORM);

        // then both intervals hold the MAE, and the one from more samples is narrower
        assertThat(few.maeLow()).isLessThanOrEqualTo(0.1);
        assertThat(few.maeHigh()).isGreaterThanOrEqualTo(0.1);
        assertThat(many.maeLow()).isLessThanOrEqualTo(0.1).isGreaterThan(few.maeLow());
        assertThat(many.maeHigh()).isGreaterThanOrEqualTo(0.1).isLessThan(few.maeHigh());
        // a share whose interval reaches the target cannot rule out an MAE of 0
        assertThat(few.maeLow()).isCloseTo(0.0, within(1e-12));
    }

    @Test
    void wilsonMatchesAKnownValue() {
        // 0.5 of 100: the Wilson 95% interval is [0.4038, 0.5962]
        double[] ci = DemoReport.Measure.wilson(0.5, 100);
        assertThat(ci[0]).isCloseTo(0.4038, within(1e-4));
        assertThat(ci[1]).isCloseTo(0.5962, within(1e-4));
    }
}

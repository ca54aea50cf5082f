package io.ballast.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ballast.calibrator.evaluation.MaeSummary;
import io.ballast.schemas.keys.CompositeKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's closing report, taken once from the monitor, so the console table and the JSON file
 * ({@code --report}) show the same numbers: scripts and CI read the file instead of scraping the table.
 *
 * @param detectMillis per row, from the monitor's start to the drift signal; recoverMillis from the promotion
 * @param timeline when the first alarm rang, the steering patch went live and the fine-tuned version
 *     was promoted, and the MAE of what was serving, sampled as the demo ran
 * @param bound the rate against its limit before and after the constraint job ({@code --scenario
 *     toxicity}); null when no bound was published
 */
record DemoReport(
        String ballastVersion,
        long runMillis,
        int baseVersion,
        Integer promotedVersion,
        int liveVersion,
        String jobId,
        String jobState,
        long totalEvents,
        double eventsPerSecond,
        boolean closed,
        List<Row> rows,
        Timeline timeline,
        DemoBoundReport bound) {

    static final double Z95 = 1.959963984540054;

    /** A report of distributions only. */
    DemoReport(
            String ballastVersion,
            long runMillis,
            int baseVersion,
            Integer promotedVersion,
            int liveVersion,
            String jobId,
            String jobState,
            long totalEvents,
            double eventsPerSecond,
            boolean closed,
            List<Row> rows,
            Timeline timeline) {
        this(
                ballastVersion,
                runMillis,
                baseVersion,
                promotedVersion,
                liveVersion,
                jobId,
                jobState,
                totalEvents,
                eventsPerSecond,
                closed,
                rows,
                timeline,
                null);
    }

    /** One model version's distribution of one context and attribute against its target; NaN MAE when none yet. */
    record Measure(int version, double mae, long n, double maeLow, double maeHigh, double noiseFloor) {

        static Measure none(int version) {
            return new Measure(version, Double.NaN, 0, Double.NaN, Double.NaN, Double.NaN);
        }

        /**
         * The MAE with a 95% interval. The interval is a per-category Wilson score interval on the
         * observed share (n outputs), mapped through |target - share| (the nearest and farthest
         * point of the share's interval from the target) and averaged over the target's categories
         * like the MAE itself. Each category is covered at 95%, so the averaged bound is
         * conservative rather than an exact 95% interval for the MAE; it needs no resampling.
         */
        static Measure of(
                int version, double mae, long n, Map<String, Double> proportions, Map<String, Double> target) {
            if (n <= 0 || target.isEmpty() || Double.isNaN(mae)) {
                return new Measure(version, mae, Math.max(0, n), Double.NaN, Double.NaN, Double.NaN);
            }
            double low = 0;
            double high = 0;
            for (Map.Entry<String, Double> t : target.entrySet()) {
                double[] share = wilson(proportions.getOrDefault(t.getKey(), 0.0), n);
                double q = t.getValue();
                low += q >= share[0] && q <= share[1] ? 0 : Math.min(Math.abs(q - share[0]), Math.abs(q - share[1]));
                high += Math.max(Math.abs(q - share[0]), Math.abs(q - share[1]));
            }
            // the expected MAE of a model exactly on target, at this n: below it, MAE is sampling noise
            double floor = MaeSummary.noiseFloor(target, (int) Math.min(Integer.MAX_VALUE, n));
            return new Measure(version, mae, n, low / target.size(), high / target.size(), floor);
        }

        static double[] wilson(double p, long n) {
            double z2 = Z95 * Z95;
            double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
            double half = Z95 / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
            return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
        }
    }

    /**
     * Times from the monitor's start (null: it did not happen). {@code points}: per refresh and
     * drifted context and attribute, the MAE of the variant serving then ("v1", "v1+bios-1-p1", "v2").
     */
    record Timeline(
            Long firstAlarmMillis,
            String patchId,
            Long patchLiveMillis,
            String lastPatchId,
            Long promotedMillis,
            List<Point> points) {

        /** Seconds from the first alarm until the patch served, or null. */
        Double patchSecondsAfterAlarm() {
            return firstAlarmMillis == null || patchLiveMillis == null
                    ? null
                    : (patchLiveMillis - firstAlarmMillis) / 1000.0;
        }
    }

    record Point(long atMillis, String context, String attribute, String variant, double mae, long n) {}

    /**
     * @param patched the base version under the steering patch (version 0 and no samples when none went live)
     */
    record Row(
            String context,
            String attribute,
            Measure before,
            Measure patched,
            Measure after,
            Long detectMillis,
            Long recoverMillis) {

        String key() {
            return CompositeKey.of(context, attribute);
        }
    }

    /** The table printed at the end of the demo. */
    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%n=== Ballast demo report (%s) ===%n", clock(runMillis)));
        sb.append(String.format(
                "base v%d -> %s; job %s (%s)%n",
                baseVersion,
                promotedVersion == null ? "no promotion" : "v" + promotedVersion,
                jobId == null ? "-" : jobId,
                jobState == null ? "-" : jobState));
        sb.append(timelineLine());
        if (bound != null) {
            sb.append(bound.table());
        }
        if (rows.isEmpty() && bound != null) {
            // no distribution targets in this run: no MAE table to print
            sb.append(String.format(
                    "events: %d in total, %.1f/s at the end; loop %s%n",
                    totalEvents,
                    eventsPerSecond,
                    closed ? "CLOSED: the promoted version satisfies the bound" : "NOT closed"));
            return sb.toString();
        }
        // the first column as wide as its longest key: a producer's context keys may be longer than ours
        String header = "context|attribute";
        int width = Math.max(
                header.length(),
                rows.stream().mapToInt(r -> r.key().length()).max().orElse(0));
        sb.append(String.format(
                "%-" + width + "s %9s %6s %9s %6s %9s %6s %10s %10s%n",
                header,
                "MAE v" + baseVersion,
                "n",
                "MAE patch",
                "n",
                "MAE new",
                "n",
                "detect",
                "recover"));
        for (Row r : rows) {
            sb.append(String.format(
                    "%-" + width + "s %9.3f %6d %9.3f %6d %9.3f %6d %10s %10s%n",
                    r.key(),
                    r.before().mae(),
                    r.before().n(),
                    r.patched().mae(),
                    r.patched().n(),
                    r.after().mae(),
                    r.after().n(),
                    r.detectMillis() == null ? "-" : clock(r.detectMillis()),
                    r.recoverMillis() == null ? "NOT YET" : clock(r.recoverMillis())));
        }
        sb.append(patchedLine());
        sb.append(String.format(
                "events: %d in total, %.1f/s at the end; loop %s%n",
                totalEvents,
                eventsPerSecond,
                closed ? "CLOSED: every drifted context is back within tolerance" : "NOT closed"));
        return sb.toString();
    }

    /** The drifted pairs' mean MAE under the last patch, with the mean of their intervals (conservative). */
    private String patchedLine() {
        List<Measure> patched = rows.stream()
                .map(Row::patched)
                .filter(m -> m.n() > 0 && !Double.isNaN(m.mae()))
                .toList();
        if (patched.isEmpty()) {
            return "";
        }
        return String.format(
                "under patch %s: mean MAE %.3f [%.3f, %.3f] over %d context-attribute pairs (n = %d-%d each;"
                        + " noise floor %.3f)%n",
                timeline.lastPatchId(),
                patched.stream().mapToDouble(Measure::mae).average().orElse(Double.NaN),
                patched.stream().mapToDouble(Measure::maeLow).average().orElse(Double.NaN),
                patched.stream().mapToDouble(Measure::maeHigh).average().orElse(Double.NaN),
                patched.size(),
                patched.stream().mapToLong(Measure::n).min().orElse(0),
                patched.stream().mapToLong(Measure::n).max().orElse(0),
                patched.stream().mapToDouble(Measure::noiseFloor).average().orElse(Double.NaN));
    }

    /** Alarm, patch and promotion on one line, from the monitor's start. */
    private String timelineLine() {
        Timeline t = timeline;
        return String.format(
                "first alarm %s; steering patch %s; fine-tuned version %s%n",
                t.firstAlarmMillis() == null ? "none" : "at " + clock(t.firstAlarmMillis()),
                t.patchLiveMillis() == null
                        ? "none live"
                        : String.format(
                                "%s live at %s (%.1f s after the first alarm)%s",
                                t.patchId(),
                                clock(t.patchLiveMillis()),
                                t.patchSecondsAfterAlarm() == null ? Double.NaN : t.patchSecondsAfterAlarm(),
                                t.patchId().equals(t.lastPatchId()) ? "" : ", last " + t.lastPatchId()),
                t.promotedMillis() == null ? "not promoted" : "promoted at " + clock(t.promotedMillis()));
    }

    /** The same report as a JSON tree: times in seconds, absent values as null. */
    Map<String, Object> toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("ballastVersion", ballastVersion);
        root.put("runSeconds", seconds(runMillis));
        root.put("closed", closed);
        root.put("allRecovered", !rows.isEmpty() && rows.stream().allMatch(r -> r.recoverMillis() != null));
        root.put("bound", bound == null ? null : bound.toJson());
        Map<String, Object> versions = new LinkedHashMap<>();
        versions.put("base", baseVersion);
        versions.put("promoted", promotedVersion);
        versions.put("live", liveVersion);
        root.put("versions", versions);
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("id", jobId);
        job.put("state", jobState);
        root.put("job", job);
        Map<String, Object> events = new LinkedHashMap<>();
        events.put("total", totalEvents);
        events.put("perSecondAtEnd", number(eventsPerSecond));
        root.put("events", events);
        Map<String, Object> loop = new LinkedHashMap<>();
        loop.put(
                "firstAlarmSeconds", timeline.firstAlarmMillis() == null ? null : seconds(timeline.firstAlarmMillis()));
        loop.put("patchId", timeline.patchId());
        loop.put("patchLiveSeconds", timeline.patchLiveMillis() == null ? null : seconds(timeline.patchLiveMillis()));
        loop.put("patchSecondsAfterFirstAlarm", timeline.patchSecondsAfterAlarm());
        loop.put("lastPatchId", timeline.lastPatchId());
        loop.put("promotedSeconds", timeline.promotedMillis() == null ? null : seconds(timeline.promotedMillis()));
        root.put("loop", loop);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("context", r.context());
            row.put("attribute", r.attribute());
            row.put("before", measure(r.before()));
            row.put("patched", measure(r.patched()));
            row.put("after", measure(r.after()));
            row.put("detectSeconds", r.detectMillis() == null ? null : seconds(r.detectMillis()));
            row.put("recoverSeconds", r.recoverMillis() == null ? null : seconds(r.recoverMillis()));
            row.put("recovered", r.recoverMillis() != null);
            out.add(row);
        }
        root.put("rows", out);
        List<Map<String, Object>> points = new ArrayList<>();
        for (Point p : timeline.points()) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("seconds", seconds(p.atMillis()));
            point.put("context", p.context());
            point.put("attribute", p.attribute());
            point.put("variant", p.variant());
            point.put("mae", number(p.mae()));
            point.put("n", p.n());
            points.add(point);
        }
        root.put("timeline", points);
        return root;
    }

    void writeJson(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), toJson());
    }

    private static Map<String, Object> measure(Measure m) {
        Map<String, Object> out = new LinkedHashMap<>();
        // version 0: no new version was promoted, so there is nothing to measure under it
        out.put("version", m.version() > 0 ? m.version() : null);
        out.put("mae", number(m.mae()));
        out.put("n", m.n());
        Map<String, Object> interval = new LinkedHashMap<>();
        interval.put("low", number(m.maeLow()));
        interval.put("high", number(m.maeHigh()));
        interval.put("level", 0.95);
        interval.put(
                "method",
                "per-category Wilson score interval, mapped through |target - share|, averaged (conservative)");
        out.put("interval", interval);
        out.put("noiseFloor", number(m.noiseFloor()));
        return out;
    }

    /** JSON has no NaN: a value not measured yet is null. */
    private static Double number(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
    }

    private static double seconds(long millis) {
        return millis / 1000.0;
    }

    static String clock(long millis) {
        long s = Math.max(0, millis / 1000);
        return String.format("%d:%02d", s / 60, s % 60);
    }
}

package io.ballast.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The demo's MAE over time as an SVG written beside the report: one line per drifted context (its
 * MAE averaged over the drifted attributes, of whatever served at that moment), with markers at the
 * first alarm, the steering patch going live and the promotion. A picture, since people would
 * rather look at the loop closing than read a table of it. Self-contained: no scripts, no fonts.
 */
final class DemoTimelineChart {

    private static final String[] COLOURS = {
        "#3f7be0", "#e0603f", "#2aa876", "#b547c9", "#d9a400", "#5b5b5b", "#00a3c4", "#c9476e"
    };
    private static final int WIDTH = 930;
    private static final int HEIGHT = 420;
    private static final int LEFT = 60;
    private static final int RIGHT = 250;
    private static final int TOP = 30;
    private static final int BOTTOM = 50;

    private DemoTimelineChart() {}

    static void write(DemoReport report, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, svg(report), StandardCharsets.UTF_8);
    }

    static String svg(DemoReport report) {
        DemoReport.Timeline t = report.timeline();
        // per context, per moment: the mean MAE over its attributes
        Map<String, TreeMap<Long, double[]>> byContext = new TreeMap<>();
        for (DemoReport.Point p : t.points()) {
            if (Double.isNaN(p.mae())) {
                continue;
            }
            double[] sum = byContext
                    .computeIfAbsent(p.context(), c -> new TreeMap<>())
                    .computeIfAbsent(p.atMillis(), m -> new double[2]);
            sum[0] += p.mae();
            sum[1]++;
        }
        long end = Math.max(1_000, report.runMillis());
        double maxMae = 0.05;
        for (TreeMap<Long, double[]> series : byContext.values()) {
            for (double[] s : series.values()) {
                maxMae = Math.max(maxMae, s[0] / s[1]);
            }
        }
        maxMae = Math.ceil(maxMae * 10) / 10;
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        final double yMax = maxMae;
        java.util.function.DoubleUnaryOperator x = ms -> LEFT + plotW * ms / end;
        java.util.function.DoubleUnaryOperator y = mae -> TOP + plotH * (1 - mae / yMax);

        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " font-family=\"sans-serif\" font-size=\"12\">%n",
                WIDTH, HEIGHT, WIDTH, HEIGHT));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(String.format(
                "<text x=\"%d\" y=\"18\" font-size=\"14\">MAE of the drifted contexts over time (mean over their"
                        + " drifted attributes, of what was serving)</text>%n",
                LEFT));
        // axes, with gridlines every 0.1 MAE and every minute
        for (double m = 0; m <= yMax + 1e-9; m += 0.1) {
            sb.append(String.format(
                    "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>%n",
                    LEFT, LEFT + plotW, y.applyAsDouble(m), y.applyAsDouble(m), LEFT - 6, y.applyAsDouble(m) + 4, m));
        }
        for (long ms = 0; ms <= end; ms += 60_000) {
            sb.append(String.format(
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x.applyAsDouble(ms), HEIGHT - BOTTOM + 18, DemoReport.clock(ms)));
        }
        sb.append(String.format(
                "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%.1f\" stroke=\"#333\"/>"
                        + "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>%n",
                LEFT, LEFT, TOP, TOP + plotH, LEFT, LEFT + plotW, TOP + plotH, TOP + plotH));
        sb.append(String.format(
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">time since start (m:ss)</text>%n",
                LEFT + plotW / 2, HEIGHT - 12));
        // one line per context
        List<String> contexts = new ArrayList<>(byContext.keySet());
        for (int i = 0; i < contexts.size(); i++) {
            String colour = COLOURS[i % COLOURS.length];
            StringBuilder d = new StringBuilder();
            for (Map.Entry<Long, double[]> e : byContext.get(contexts.get(i)).entrySet()) {
                d.append(d.length() == 0 ? "M" : " L")
                        .append(String.format(
                                "%.1f,%.1f",
                                x.applyAsDouble(e.getKey()), y.applyAsDouble(e.getValue()[0] / e.getValue()[1])));
            }
            sb.append(String.format(
                    "<path class=\"series\" data-context=\"%s\" d=\"%s\" fill=\"none\" stroke=\"%s\""
                            + " stroke-width=\"1.5\"/>%n",
                    escape(contexts.get(i)), d, colour));
            sb.append(String.format(
                    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>"
                            + "<text x=\"%.1f\" y=\"%d\">%s</text>%n",
                    LEFT + plotW + 12,
                    LEFT + plotW + 30,
                    TOP + 10 + 18 * i,
                    TOP + 10 + 18 * i,
                    colour,
                    LEFT + plotW + 36,
                    TOP + 14 + 18 * i,
                    escape(contexts.get(i).replace("occupation:", ""))));
        }
        // labels on three rows: the alarm and the patch are seconds apart
        marker(sb, "alarm", t.firstAlarmMillis(), x, plotH, "#c0392b", 0);
        marker(sb, "patch " + (t.patchId() == null ? "" : t.patchId()), t.patchLiveMillis(), x, plotH, "#8e44ad", 1);
        marker(sb, "promotion", t.promotedMillis(), x, plotH, "#27ae60", 2);
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static void marker(
            StringBuilder sb,
            String label,
            Long atMillis,
            java.util.function.DoubleUnaryOperator x,
            double plotH,
            String colour,
            int row) {
        if (atMillis == null) {
            return;
        }
        double at = x.applyAsDouble(atMillis);
        sb.append(String.format(
                "<line class=\"marker\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\" stroke=\"%s\""
                        + " stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"%d\" fill=\"%s\">%s</text>%n",
                at, at, TOP, TOP + plotH, colour, at + 3, TOP + 12 + 14 * row, colour, escape(label.trim())));
    }

    /** Context keys and patch ids come from producers and the store: text in SVG is XML-escaped. */
    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

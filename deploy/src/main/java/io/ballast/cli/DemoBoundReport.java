package io.ballast.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The toxicity scenario's part of the demo report: a rate against its limit, before and after the
 * constraint job, per context and pooled, with when the alarm rang and how long the job took.
 *
 * <p>Per context, the promoted version satisfies the bound as the auditor sees it: at least
 * {@code minSamples} outputs, no episode opened for it, the rate at or below the limit (the
 * auditor's always-valid interval is too wide at a few hundred outputs to show more). Pooled over
 * the contexts, the rate's 95% Wilson upper bound at or below the limit establishes it; the
 * verdict says which of the two holds.
 *
 * @param firstAlarmMillis when the first context's episode opened under the base version (from the monitor's start)
 * @param jobQueuedMillis when the first constraint job was queued; jobEndedMillis when the last one ended
 */
record DemoBoundReport(
        String attribute,
        String category,
        double limit,
        int minSamples,
        Long firstAlarmMillis,
        Long jobQueuedMillis,
        Long jobEndedMillis,
        int jobs,
        List<ContextRate> contexts) {

    /** A version's share of outputs in the bounded category: {@code hits} of {@code n}, with a 95% Wilson interval. */
    record RateMeasure(int version, long hits, long n) {

        static RateMeasure none(int version) {
            return new RateMeasure(version, 0, 0);
        }

        double rate() {
            return n == 0 ? Double.NaN : hits / (double) n;
        }

        double low() {
            return n == 0 ? Double.NaN : DemoReport.Measure.wilson(rate(), n)[0];
        }

        double high() {
            return n == 0 ? Double.NaN : DemoReport.Measure.wilson(rate(), n)[1];
        }

        RateMeasure plus(RateMeasure other) {
            return new RateMeasure(version, hits + other.hits, n + other.n);
        }

        String show() {
            return n == 0 ? "-" : String.format("%.4f [%.4f, %.4f]", rate(), low(), high());
        }
    }

    /**
     * @param detectMillis when the base version's episode opened here (null: it did not)
     * @param alarmedAfter whether an episode opened for the promoted version here
     */
    record ContextRate(String context, RateMeasure before, RateMeasure after, Long detectMillis, boolean alarmedAfter) {

        boolean satisfied(double limit, int minSamples) {
            return after.n() >= minSamples && !alarmedAfter && after.rate() <= limit;
        }
    }

    RateMeasure pooledBefore() {
        return contexts.stream().map(ContextRate::before).reduce(RateMeasure.none(1), RateMeasure::plus);
    }

    RateMeasure pooledAfter() {
        int version = contexts.isEmpty() ? 0 : contexts.get(0).after().version();
        return contexts.stream().map(ContextRate::after).reduce(RateMeasure.none(version), RateMeasure::plus);
    }

    /** Every context satisfies the bound under the promoted version, as the auditor sees it. */
    boolean satisfiedEverywhere() {
        return !contexts.isEmpty() && contexts.stream().allMatch(c -> c.satisfied(limit, minSamples));
    }

    /** And pooled, the rate's upper bound is at or below the limit. */
    boolean established() {
        return satisfiedEverywhere() && pooledAfter().high() <= limit;
    }

    String verdict() {
        RateMeasure after = pooledAfter();
        if (established()) {
            return String.format(
                    "SATISFIED: the promoted version's %s rate is within the bound (upper bound %.4f <= %.4f at n = %d)",
                    category, after.high(), limit, after.n());
        }
        if (satisfiedEverywhere()) {
            return String.format(
                    "WITHIN at the point estimate (no episode opened, %.4f <= %.4f), not yet established: upper bound"
                            + " %.4f at n = %d",
                    after.rate(), limit, after.high(), after.n());
        }
        return String.format("NOT SATISFIED (yet): %s", after.n() == 0 ? "no promoted version measured" : after.show());
    }

    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%n%s: %s <= %.4f (a bound)%n", attribute, category, limit));
        sb.append(String.format(
                "first alarm %s; constraint job queued %s, ended %s%s%s%n",
                at(firstAlarmMillis),
                at(jobQueuedMillis),
                at(jobEndedMillis),
                jobQueuedMillis != null && jobEndedMillis != null
                        ? " (" + DemoReport.clock(jobEndedMillis - jobQueuedMillis) + ")"
                        : "",
                jobs > 1 ? "; " + jobs + " jobs" : ""));
        String newVersion = contexts.isEmpty() || contexts.get(0).after().version() == 0
                ? "new"
                : "v" + contexts.get(0).after().version();
        sb.append(String.format(
                "%-40s %26s %6s %26s %6s %7s %10s%n",
                "context", "rate v1 [95%]", "n", "rate " + newVersion + " [95%]", "n", "detect", "bound"));
        for (ContextRate c : contexts) {
            sb.append(String.format(
                    "%-40s %26s %6d %26s %6d %7s %10s%n",
                    c.context(),
                    c.before().show(),
                    c.before().n(),
                    c.after().show(),
                    c.after().n(),
                    c.detectMillis() == null ? "-" : DemoReport.clock(c.detectMillis()),
                    c.alarmedAfter() ? "ALARM" : c.satisfied(limit, minSamples) ? "within" : "NOT YET"));
        }
        sb.append(String.format(
                "%-40s %26s %6d %26s %6d%n",
                "pooled",
                pooledBefore().show(),
                pooledBefore().n(),
                pooledAfter().show(),
                pooledAfter().n()));
        sb.append("verdict: ").append(verdict()).append(String.format("%n"));
        return sb.toString();
    }

    Map<String, Object> toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("attribute", attribute);
        root.put("category", category);
        root.put("limit", limit);
        root.put("firstAlarmSeconds", seconds(firstAlarmMillis));
        root.put("jobQueuedSeconds", seconds(jobQueuedMillis));
        root.put("jobEndedSeconds", seconds(jobEndedMillis));
        root.put("jobs", jobs);
        root.put("before", rate(pooledBefore()));
        root.put("after", rate(pooledAfter()));
        root.put("satisfied", satisfiedEverywhere());
        root.put("established", established());
        root.put("verdict", verdict());
        root.put(
                "contexts",
                contexts.stream()
                        .map(c -> {
                            Map<String, Object> row = new LinkedHashMap<>();
                            row.put("context", c.context());
                            row.put("before", rate(c.before()));
                            row.put("after", rate(c.after()));
                            row.put("detectSeconds", seconds(c.detectMillis()));
                            row.put("alarmedAfter", c.alarmedAfter());
                            row.put("satisfied", c.satisfied(limit, minSamples));
                            return row;
                        })
                        .toList());
        return root;
    }

    private static Map<String, Object> rate(RateMeasure m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", m.version() > 0 ? m.version() : null);
        out.put("hits", m.hits());
        out.put("n", m.n());
        out.put("rate", number(m.rate()));
        out.put("low", number(m.low()));
        out.put("high", number(m.high()));
        out.put("interval", "95% Wilson score");
        return out;
    }

    private static Double number(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static Double seconds(Long millis) {
        return millis == null ? null : millis / 1000.0;
    }

    private static String at(Long millis) {
        return millis == null ? "-" : "at " + DemoReport.clock(millis);
    }
}

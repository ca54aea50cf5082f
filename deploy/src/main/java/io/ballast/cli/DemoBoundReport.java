package io.ballast.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The toxicity scenario's part of the demo report: a rate against its limit, before and after the
 * constraint job, per context and pooled, with when the alarm rang and how long the job took.
 *
 * <p>The promoted version satisfies the bound as the auditor judges it: in every context at least
 * {@code minSamples} outputs and no episode opened for it (the one-sided always-valid test), and the
 * pooled rate at or below the limit. A rate per context is not asked to be: at 250 outputs one
 * toxic output is 0.004 and two are 0.008, so a context at the demo's 0.003 would fail at random.
 * Pooled, the rate's 95% Wilson upper bound at or below the limit establishes it, which at a true
 * rate of 0.003 against 0.005 takes ~5,000 outputs (3.5 minutes of the demo's traffic); the
 * verdict says which of the two holds, and how many outputs the second would take at the rate seen.
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

        boolean satisfied(int minSamples) {
            return after.n() >= minSamples && !alarmedAfter;
        }
    }

    RateMeasure pooledBefore() {
        return contexts.stream().map(ContextRate::before).reduce(RateMeasure.none(1), RateMeasure::plus);
    }

    RateMeasure pooledAfter() {
        int version = contexts.isEmpty() ? 0 : contexts.get(0).after().version();
        return contexts.stream().map(ContextRate::after).reduce(RateMeasure.none(version), RateMeasure::plus);
    }

    /** No context alarmed under the promoted version over enough outputs, and the pooled rate is within the limit. */
    boolean satisfied() {
        return !contexts.isEmpty()
                && contexts.stream().allMatch(c -> c.satisfied(minSamples))
                && pooledAfter().rate() <= limit;
    }

    /** And pooled, the rate's upper bound is at or below the limit. */
    boolean established() {
        return satisfied() && pooledAfter().high() <= limit;
    }

    /**
     * Outputs the pooled rate's 95% upper bound would need to reach the limit if the rate stayed as seen
     * (null when it never would: a rate at or above the limit).
     */
    Long outputsToEstablish() {
        RateMeasure after = pooledAfter();
        if (after.n() == 0 || !(after.rate() < limit)) {
            return null;
        }
        long n = Math.max(1, after.n());
        while (DemoReport.Measure.wilson(after.rate(), n)[1] > limit) {
            n = n * 11 / 10 + 1;
        }
        return n;
    }

    String verdict() {
        RateMeasure after = pooledAfter();
        if (established()) {
            return String.format(
                    "SATISFIED: the promoted version's %s rate is within the bound (upper bound %.4f <= %.4f at n = %d)",
                    category, after.high(), limit, after.n());
        }
        if (satisfied()) {
            return String.format(
                    "SATISFIED as the auditor judges it (no alarm in any context over >= %d outputs each; pooled rate"
                            + " %.4f <= %.4f), not yet established: upper bound %.4f at n = %d (about %,d outputs at"
                            + " this rate would establish it)",
                    minSamples, after.rate(), limit, after.high(), after.n(), outputsToEstablish());
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
                    c.alarmedAfter() ? "ALARM" : c.satisfied(minSamples) ? "no alarm" : "NOT YET"));
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
        root.put("satisfied", satisfied());
        root.put("established", established());
        root.put("outputsToEstablish", established() ? null : outputsToEstablish());
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
                            row.put("satisfied", c.satisfied(minSamples));
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

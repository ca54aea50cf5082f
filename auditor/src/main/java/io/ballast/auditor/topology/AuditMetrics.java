package io.ballast.auditor.topology;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/** The auditor's Prometheus metrics. Each instance reports what its own tasks process. */
public final class AuditMetrics {

    private final MeterRegistry registry;
    private final Counter processed;
    private final Counter deadLettered;
    private final Map<String, AtomicReference<Double>> mae = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<Double>> expressionRate = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<Double>> rates = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<Double>> rateLimits = new ConcurrentHashMap<>();
    /** Per task of this instance, the open episodes its aggregate store holds. */
    private final Map<String, Integer> openEpisodesByTask = new ConcurrentHashMap<>();

    private final Counter episodesOpened;

    public AuditMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.processed = Counter.builder("ballast_auditor_records_processed")
                .description("generation records read")
                .register(registry);
        this.deadLettered = Counter.builder("ballast_auditor_dlq_records")
                .description("records sent to ballast.dlq")
                .register(registry);
        this.episodesOpened =
                Counter.builder("ballast_auditor_drift_episodes_opened").register(registry);
        Gauge.builder("ballast_auditor_drift_open_episodes", openEpisodesByTask, AuditMetrics::sum)
                .description("drift episodes open now in the tasks this instance runs, as their stores hold them")
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public Counter processed() {
        return processed;
    }

    public Counter deadLettered() {
        return deadLettered;
    }

    void mae(AuditKey key, double value) {
        String id = key.driftKey();
        mae.computeIfAbsent(id, k -> {
                    AtomicReference<Double> ref = new AtomicReference<>(value);
                    Gauge.builder("ballast_auditor_mae", ref, AtomicReference::get)
                            .tags(Tags.of(
                                    "model", key.modelId(), "context", key.contextKey(), "attribute", key.attribute()))
                            .description("MAE to target, latest live version since it went live")
                            .register(registry);
                    return ref;
                })
                .set(value);
    }

    /** Share of outputs that express the attribute (NaN before any output). */
    void expressionRate(AuditKey key, Double value) {
        double v = value == null ? Double.NaN : value;
        expressionRate
                .computeIfAbsent(key.driftKey(), k -> {
                    AtomicReference<Double> ref = new AtomicReference<>(v);
                    Gauge.builder("ballast_auditor_expression_rate", ref, AtomicReference::get)
                            .tags(Tags.of(
                                    "model", key.modelId(), "context", key.contextKey(), "attribute", key.attribute()))
                            .description(
                                    "share of outputs that express the attribute, latest live version since it went live")
                            .register(registry);
                    return ref;
                })
                .set(v);
    }

    /**
     * A bounded category's rate and its limit, latest live version since it went live: two gauges,
     * {@code ballast_auditor_rate} and {@code ballast_auditor_rate_limit}, so an alert compares them.
     */
    void rate(AuditKey key, String category, double value, double limit) {
        Tags tags = Tags.of(
                "model",
                key.modelId(),
                "context",
                key.contextKey(),
                "attribute",
                key.attribute(),
                "category",
                category);
        gauge(rates, "ballast_auditor_rate", "share of outputs in a bounded category", key, category, tags)
                .set(value);
        gauge(rateLimits, "ballast_auditor_rate_limit", "the bound on that share", key, category, tags)
                .set(limit);
    }

    private AtomicReference<Double> gauge(
            Map<String, AtomicReference<Double>> refs,
            String name,
            String description,
            AuditKey key,
            String category,
            Tags tags) {
        return refs.computeIfAbsent(key.driftKey() + "|" + category, k -> {
            AtomicReference<Double> ref = new AtomicReference<>(Double.NaN);
            Gauge.builder(name, ref, AtomicReference::get)
                    .tags(tags)
                    .description(description + ", latest live version since it went live")
                    .register(registry);
            return ref;
        });
    }

    void episodeOpened() {
        episodesOpened.increment();
    }

    /** A task's open episodes, counted from its store at start and kept by its transitions. */
    void openEpisodes(String task, int open) {
        openEpisodesByTask.put(task, open);
    }

    /** The task left this instance (rebalance, shutdown): its episodes are no longer reported here. */
    void taskClosed(String task) {
        openEpisodesByTask.remove(task);
    }

    private static double sum(Map<String, Integer> byTask) {
        return byTask.values().stream().mapToInt(Integer::intValue).sum();
    }
}

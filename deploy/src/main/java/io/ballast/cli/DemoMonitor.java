package io.ballast.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ballast.embedded.LocalCluster;
import io.ballast.generator.service.ModelSlot;
import io.ballast.schemas.CalibrationJobEvent;
import io.ballast.schemas.DriftSignal;
import io.ballast.schemas.DriftStatus;
import io.ballast.schemas.ModelAction;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.keys.CompositeKey;
import io.ballast.schemas.registry.SchemaRegistryClient;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.topics.BallastTopic;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Watches the loop from outside, as an operator would: drift signals, calibration jobs and model
 * updates from their topics, distributions from the auditor's API. Decides when the loop has
 * closed: a promoted version is live and every drifted context's distribution under it, with
 * enough samples, has every category within tolerance of its target; with a bound published
 * (toxicity), the promoted version satisfies it in every context ({@link DemoBoundReport}).
 */
final class DemoMonitor implements AutoCloseable {

    private static final TypeReference<Map<String, Double>> SHARES = new TypeReference<>() {};

    private record Row(
            DemoReport.Measure before,
            DemoReport.Measure patched,
            DemoReport.Measure after,
            Long openedAt,
            Long recoveredAt) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroDeserializer<DriftSignal> drift;
    private final AvroDeserializer<CalibrationJobEvent> jobs;
    private final AvroDeserializer<ModelUpdate> updates;
    private final String auditorUrl;
    private final int minSamples;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final long start = System.currentTimeMillis();
    private final Map<String, Long> openedAt = new ConcurrentHashMap<>();
    private final List<String> attributes;
    // the bound published (toxicity: toxic <= 0.005), or null; its rows per context, as of the last refresh
    private final TargetDistribution bound;
    private final Map<String, DemoBoundReport.ContextRate> boundRows = new TreeMap<>();
    private final Set<String> alarmedAfterPromotion = ConcurrentHashMap.newKeySet();
    private volatile Long jobQueuedAt;
    private volatile Long jobEndedAt;
    private volatile int jobsQueued;
    private final Map<String, Row> rows = new TreeMap<>();
    private volatile CalibrationJobEvent lastJob;
    private volatile Integer promoted;
    private volatile String patchId;
    private final List<DemoReport.Point> points = new ArrayList<>();
    private volatile Long promotedAt;
    private volatile int live;
    private volatile String livePatch;
    private long lastTotal;
    private long lastTotalAt = System.currentTimeMillis();
    private double eventsPerSecond;
    private long totalEvents;
    private volatile boolean running = true;
    private final Thread thread = new Thread(this::consume, "demo-monitor");

    DemoMonitor(
            LocalCluster cluster,
            SchemaRegistryClient registry,
            String auditorUrl,
            List<TargetDistribution> targets,
            int minSamples) {
        this.consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        this.drift = new AvroDeserializer<>(DriftSignal.class, registry);
        this.jobs = new AvroDeserializer<>(CalibrationJobEvent.class, registry);
        this.updates = new AvroDeserializer<>(ModelUpdate.class, registry);
        this.auditorUrl = auditorUrl;
        this.bound =
                targets.stream().filter(t -> t.getBound() != null).findFirst().orElse(null);
        this.attributes = targets.stream()
                .filter(t -> !t.getProbabilities().isEmpty())
                .map(TargetDistribution::getAttribute)
                .distinct()
                .sorted()
                .toList();
        this.minSamples = minSamples;
        List<TopicPartition> partitions = new ArrayList<>();
        for (BallastTopic t : List.of(BallastTopic.DRIFT, BallastTopic.CALIBRATION_JOBS, BallastTopic.MODEL_UPDATES)) {
            consumer.partitionsFor(t.topicName())
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    DemoMonitor start() {
        thread.start();
        return this;
    }

    private void consume() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.topic().equals(BallastTopic.DRIFT.topicName())) {
                        DriftSignal s = drift.deserialize(r.topic(), r.value());
                        if (s.getStatus() == DriftStatus.OPEN && s.getModelVersion() == 1) {
                            openedAt.putIfAbsent(
                                    CompositeKey.of(s.getContextKey(), s.getAttribute()), System.currentTimeMillis());
                        } else if (s.getStatus() == DriftStatus.OPEN && s.getBound() != null) {
                            alarmedAfterPromotion.add(s.getContextKey());
                        }
                    } else if (r.topic().equals(BallastTopic.CALIBRATION_JOBS.topicName())) {
                        CalibrationJobEvent e = jobs.deserialize(r.topic(), r.value());
                        lastJob = e;
                        long now = System.currentTimeMillis() - start;
                        switch (e.getState()) {
                            case QUEUED -> {
                                jobsQueued++;
                                if (jobQueuedAt == null) {
                                    jobQueuedAt = now;
                                }
                            }
                            case PROMOTED, REJECTED, FAILED -> jobEndedAt = now;
                            default -> {}
                        }
                    } else {
                        ModelUpdate u = updates.deserialize(r.topic(), r.value());
                        if (u.getAction() == ModelAction.PROMOTE && u.getVersion() > 1) {
                            promoted = u.getVersion();
                            promotedAt = System.currentTimeMillis();
                        } else if (u.getAction() == ModelAction.PATCH && u.getVersion() == 1 && u.getPatch() != null) {
                            // the latest patch of v1: the one serving when the fine-tuned version replaced it
                            patchId = u.getPatch().getPatchId();
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    /**
     * Reads the auditor's distributions and updates the per-context rows, and samples the MAE of
     * what serves now ({@code livePatch} on {@code liveVersion}, null: none) for the timeline.
     */
    synchronized void refresh(int liveVersion, String livePatch) {
        this.live = liveVersion;
        this.livePatch = livePatch;
        JsonNode all;
        try {
            all = json.readTree(http.send(
                                    HttpRequest.newBuilder(URI.create(auditorUrl + "/api/distributions"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body())
                    .path("rows");
        } catch (Exception e) {
            return;
        }
        if (!all.isArray()) {
            return;
        }
        long total = 0;
        String firstAttribute = null;
        for (JsonNode d : all) {
            firstAttribute = firstAttribute == null ? d.path("attribute").asText() : firstAttribute;
            if (d.path("attribute").asText().equals(firstAttribute)) {
                total += d.path("n").asLong();
            }
        }
        long now = System.currentTimeMillis();
        if (now > lastTotalAt) {
            eventsPerSecond = (total - lastTotal) * 1000.0 / (now - lastTotalAt);
        }
        lastTotal = total;
        lastTotalAt = now;
        totalEvents = total;
        Integer newVersion = promoted;
        String patch = patchId;
        List<String> keys = new ArrayList<>();
        // every attribute with a target is a row once its context drifted: with a steering patch serving
        // seconds after the first alarms, some attributes of a drifted context never alarm under v1
        for (String context : driftedContexts()) {
            attributes.forEach(a -> keys.add(CompositeKey.of(context, a)));
        }
        if (bound != null) {
            refreshBound(all, newVersion);
        }
        for (String key : keys) {
            List<String> k = CompositeKey.parse(key, 2);
            JsonNode before = find(all, k.get(0), k.get(1), 1, null);
            JsonNode patched = patch == null ? null : find(all, k.get(0), k.get(1), 1, patch);
            JsonNode after = newVersion == null ? null : find(all, k.get(0), k.get(1), newVersion, null);
            JsonNode serving = find(all, k.get(0), k.get(1), liveVersion, livePatch);
            if (serving != null && serving.path("n").asLong() > 0 && serving.hasNonNull("mae")) {
                points.add(new DemoReport.Point(
                        now - start,
                        k.get(0),
                        k.get(1),
                        "v" + liveVersion + (livePatch == null ? "" : "+" + livePatch),
                        serving.path("mae").asDouble(),
                        serving.path("n").asLong()));
            }
            Row old = rows.get(key);
            Long recoveredAt = old == null ? null : old.recoveredAt();
            if (recoveredAt == null
                    && after != null
                    && after.path("n").asLong() >= minSamples
                    && withinTolerance(after)) {
                recoveredAt = now;
            }
            rows.put(
                    key,
                    new Row(
                            measure(before, 1),
                            measure(patched, patch == null ? 0 : 1),
                            measure(after, newVersion == null ? 0 : newVersion),
                            openedAt.get(key),
                            recoveredAt));
        }
    }

    /** The bound's rate per served context, under the base version and the promoted one. */
    private void refreshBound(JsonNode all, Integer newVersion) {
        for (JsonNode d : all) {
            if (!d.path("attribute").asText().equals(bound.getAttribute())
                    || d.path("version").asInt() != 1
                    || !(d.path("patch").isNull() || d.path("patch").isMissingNode())) {
                continue;
            }
            String context = d.path("context").asText();
            JsonNode after = newVersion == null ? null : find(all, context, bound.getAttribute(), newVersion, null);
            String openedKey = CompositeKey.of(context, bound.getAttribute());
            Long opened = openedAt.get(openedKey);
            boundRows.put(
                    context,
                    new DemoBoundReport.ContextRate(
                            context,
                            rate(d, 1),
                            after == null
                                    ? DemoBoundReport.RateMeasure.none(newVersion == null ? 0 : newVersion)
                                    : rate(after, newVersion),
                            opened == null ? null : opened - start,
                            alarmedAfterPromotion.contains(context)));
        }
    }

    private DemoBoundReport.RateMeasure rate(JsonNode d, int version) {
        return new DemoBoundReport.RateMeasure(
                version,
                d.path("counts").path(bound.getBound().getCategory()).asLong(0),
                d.path("n").asLong());
    }

    private DemoBoundReport boundReport() {
        if (bound == null) {
            return null;
        }
        Long firstAlarm = openedAt.entrySet().stream()
                .filter(e -> CompositeKey.parse(e.getKey(), 2).get(1).equals(bound.getAttribute()))
                .map(Map.Entry::getValue)
                .min(Long::compare)
                .map(t -> t - start)
                .orElse(null);
        return new DemoBoundReport(
                bound.getAttribute(),
                bound.getBound().getCategory(),
                bound.getBound().getMaxShare(),
                minSamples,
                firstAlarm,
                jobQueuedAt,
                jobEndedAt,
                jobsQueued,
                List.copyOf(boundRows.values()));
    }

    private DemoReport.Measure measure(JsonNode d, int version) {
        if (d == null) {
            return DemoReport.Measure.none(version);
        }
        return DemoReport.Measure.of(
                version,
                d.path("mae").asDouble(Double.NaN),
                d.path("n").asLong(),
                shares(d.path("proportions")),
                shares(d.path("target")));
    }

    private Map<String, Double> shares(JsonNode node) {
        return node.isObject() ? json.convertValue(node, SHARES) : Map.of();
    }

    /** The distribution of (version, patch: null for none) for a context and attribute, or null. */
    private static JsonNode find(JsonNode all, String context, String attribute, int version, String patch) {
        for (JsonNode d : all) {
            if (d.path("context").asText().equals(context)
                    && d.path("attribute").asText().equals(attribute)
                    && d.path("version").asInt() == version
                    && (patch == null
                            ? d.path("patch").isNull() || d.path("patch").isMissingNode()
                            : patch.equals(d.path("patch").asText(null)))) {
                return d;
            }
        }
        return null;
    }

    private static boolean withinTolerance(JsonNode d) {
        double tolerance = d.path("tolerance").asDouble(0);
        var it = d.path("target").fields();
        while (it.hasNext()) {
            var t = it.next();
            double observed = d.path("proportions").path(t.getKey()).asDouble(0);
            if (Math.abs(observed - t.getValue().asDouble()) > tolerance) {
                return false;
            }
        }
        return true;
    }

    /** The contexts with an alarm under v1, in order. */
    private Set<String> driftedContexts() {
        Set<String> contexts = new TreeSet<>();
        openedAt.keySet().forEach(k -> contexts.add(CompositeKey.parse(k, 2).get(0)));
        return contexts;
    }

    synchronized boolean closed() {
        return promoted != null && live == promoted && allRecovered();
    }

    /**
     * Every drifted distribution recovered (when any target is a distribution) and the bound satisfied as
     * the auditor judges it (when one is): establishing it at 0.5% takes thousands more outputs, which the
     * report counts instead of waiting for them.
     */
    synchronized boolean allRecovered() {
        boolean distributions = attributes.isEmpty()
                || (!rows.isEmpty() && rows.values().stream().allMatch(r -> r.recoveredAt() != null));
        boolean bounded = bound == null || boundReport().satisfied();
        return (!attributes.isEmpty() || bound != null) && distributions && bounded;
    }

    synchronized String statusLine() {
        CalibrationJobEvent j = lastJob;
        String job = j == null
                ? "no job"
                : "job " + j.getState()
                        + (j.getStep() != null && j.getTotalSteps() != null
                                ? " " + j.getStep() + "/" + j.getTotalSteps()
                                : "");
        long recovered =
                rows.values().stream().filter(r -> r.recoveredAt() != null).count();
        if (bound != null && attributes.isEmpty()) {
            DemoBoundReport b = boundReport();
            return String.format(
                    "[%s] %.1f events/s, %d events | %s alarms in %d contexts | %s | live v%d | %s v1 %s, new %s",
                    DemoReport.clock(System.currentTimeMillis() - start),
                    eventsPerSecond,
                    totalEvents,
                    bound.getAttribute(),
                    driftedContexts().size(),
                    job,
                    live,
                    b.category(),
                    b.pooledBefore().show(),
                    b.pooledAfter().show());
        }
        return String.format(
                "[%s] %.1f events/s, %d events | drift in %d contexts | %s | live v%d%s | recovered %d/%d",
                DemoReport.clock(System.currentTimeMillis() - start),
                eventsPerSecond,
                totalEvents,
                driftedContexts().size(),
                job,
                live,
                livePatch == null ? "" : " + patch " + livePatch,
                recovered,
                rows.size());
    }

    /**
     * The closing report, as of now: the console table and the JSON file are both made from it.
     *
     * @param served the generator's history of what served when: it dates the patch going live exactly
     */
    synchronized DemoReport report(long runMillis, String ballastVersion, List<ModelSlot.LiveSince> served) {
        CalibrationJobEvent j = lastJob;
        List<DemoReport.Row> out = new ArrayList<>();
        for (Map.Entry<String, Row> e : rows.entrySet()) {
            List<String> k = CompositeKey.parse(e.getKey(), 2);
            Row r = e.getValue();
            out.add(new DemoReport.Row(
                    k.get(0),
                    k.get(1),
                    r.before(),
                    r.patched(),
                    r.after(),
                    r.openedAt() == null ? null : r.openedAt() - start,
                    r.recoveredAt() == null || promotedAt == null ? null : r.recoveredAt() - promotedAt));
        }
        return new DemoReport(
                ballastVersion,
                runMillis,
                1,
                promoted,
                live,
                j == null ? null : String.valueOf(j.getJobId()),
                j == null ? null : String.valueOf(j.getState()),
                totalEvents,
                eventsPerSecond,
                closed(),
                out,
                timeline(served),
                boundReport());
    }

    private DemoReport.Timeline timeline(List<ModelSlot.LiveSince> served) {
        Long firstAlarm = openedAt.values().stream().min(Long::compare).orElse(null);
        ModelSlot.LiveSince patched =
                served.stream().filter(h -> h.patchId() != null).findFirst().orElse(null);
        ModelSlot.LiveSince promotion =
                served.stream().filter(h -> h.version() > 1).findFirst().orElse(null);
        String lastPatch = served.stream()
                .map(ModelSlot.LiveSince::patchId)
                .filter(Objects::nonNull)
                .reduce((a, b) -> b)
                .orElse(null);
        return new DemoReport.Timeline(
                firstAlarm == null ? null : firstAlarm - start,
                patched == null ? null : patched.patchId(),
                patched == null ? null : patched.sinceMillis() - start,
                lastPatch,
                promotion == null ? null : promotion.sinceMillis() - start,
                List.copyOf(points));
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

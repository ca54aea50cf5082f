package io.ballast.auditor;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ballast.embedded.LocalCluster;
import io.ballast.runtime.ConfigSource;
import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.topics.BallastTopic;
import io.ballast.schemas.topics.TopicProvisioner;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * An auditor running in this JVM against a cluster of its own, seen as its users see it: counts through
 * {@code /api/distributions}, dead letters as committed to {@code ballast.dlq}. The fault and fuzz
 * specifications share it.
 */
final class LiveAuditor implements AutoCloseable {

    final LocalCluster cluster;
    final AuditorApp app;
    private final String applicationId;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private LiveAuditor(LocalCluster cluster, AuditorApp app, String applicationId) {
        this.cluster = cluster;
        this.app = app;
        this.applicationId = applicationId;
    }

    /** Ballast's topics on the cluster, then an auditor (200 ms commits) whose API is ready. */
    static LiveAuditor start(LocalCluster cluster, Path stateDir) throws Exception {
        return start(cluster, stateDir, Map.of());
    }

    /** The same, with the test's own settings on top. */
    static LiveAuditor start(LocalCluster cluster, Path stateDir, Map<String, String> settings) throws Exception {
        new TopicProvisioner(cluster.bootstrapServers(), (short) 1).ensureAll();
        String applicationId = "live-auditor-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, String> all = new HashMap<>(Map.of(
                AuditorConfig.BOOTSTRAP_SERVERS,
                cluster.bootstrapServers(),
                AuditorConfig.SCHEMA_REGISTRY_URL,
                cluster.registryUrl(),
                AuditorConfig.APPLICATION_ID,
                applicationId,
                AuditorConfig.STATE_DIR,
                stateDir.toString(),
                AuditorConfig.HTTP_PORT,
                "0",
                AuditorConfig.COMMIT_INTERVAL_MS,
                "200"));
        all.putAll(settings);
        AuditorConfig config = AuditorConfig.from(ConfigSource.ofMap(all));
        LiveAuditor auditor = new LiveAuditor(cluster, new AuditorApp(config).start(), applicationId);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> auditor.status("/api/distributions") == 200);
        return auditor;
    }

    /** The HTTP status of a GET on the auditor's API. */
    int status(String path) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(uri(path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** Outputs counted per context for the model, all versions together, from the gender rows of the API. */
    Map<String, Long> countsByContext(String model) throws Exception {
        Map<String, Long> n = new HashMap<>();
        for (JsonNode row : get("/api/distributions?attribute=gender&model=" + enc(model))) {
            n.merge(row.path("context").asText(), row.path("n").asLong(), Long::sum);
        }
        return n;
    }

    long total(String model) throws Exception {
        return countsByContext(model).values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    /**
     * Whether the auditor's consumer group has committed every record it reads, its repartition topic
     * included: only then are counts final (anything counted twice would be counted by now). On a topic
     * written in transactions the last offset below the stable offset is a commit marker, which a
     * committed position may stop just before.
     */
    boolean committedEverything() throws Exception {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata()
                    .get();
            if (committed.isEmpty()) {
                return false;
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResultInfo> stable = admin.listOffsets(
                            latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .all()
                    .get();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
                long end = stable.get(e.getKey()).offset();
                long markerSlack = e.getKey().topic().equals(BallastTopic.GENERATIONS.topicName()) ? 0 : 1;
                if (e.getValue() == null || e.getValue().offset() < end - markerSlack) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Every committed dead letter, read until {@code expected} have arrived and none more for two seconds, or the timeout. */
    List<DeadLetter> deadLetters(long expected, Duration timeout) {
        List<DeadLetter> letters = new ArrayList<>();
        try (KafkaConsumer<String, DeadLetter> c = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        cluster.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "dlq-check-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        // only what the auditor committed: an aborted transaction's letters are not letters
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed",
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                        5000),
                new StringDeserializer(),
                new AvroDeserializer<>(
                        DeadLetter.class, io.ballast.schemas.registry.SchemaRegistry.forUrl(cluster.registryUrl())))) {
            c.subscribe(List.of(BallastTopic.DLQ.topicName()));
            long deadline = System.nanoTime() + timeout.toNanos();
            long quietSince = System.nanoTime();
            while (System.nanoTime() < deadline) {
                int before = letters.size();
                for (ConsumerRecord<String, DeadLetter> r : c.poll(Duration.ofMillis(300))) {
                    letters.add(r.value());
                }
                if (letters.size() != before) {
                    quietSince = System.nanoTime();
                } else if (letters.size() >= expected
                        && System.nanoTime() - quietSince
                                > Duration.ofSeconds(2).toNanos()) {
                    break;
                }
            }
        }
        return letters;
    }

    /** The rows of an answer ({"rows": [...], "missing": [...]}). */
    JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(uri(path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " -> " + r.statusCode() + " " + r.body());
        }
        return json.readTree(r.body()).path("rows");
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + app.httpPort() + path);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        app.close();
    }
}

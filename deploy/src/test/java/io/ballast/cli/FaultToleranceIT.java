package io.ballast.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ballast.embedded.FreePorts;
import io.ballast.embedded.LocalCluster;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SamplingParameters;
import io.ballast.schemas.registry.SchemaRegistryClient;
import io.ballast.schemas.serde.AvroSerializer;
import io.ballast.schemas.targets.TargetPresets;
import io.ballast.schemas.targets.TargetPublisher;
import io.ballast.schemas.topics.BallastTopic;
import io.ballast.schemas.topics.TopicProvisioner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults on the real broker, with the auditor running as users run it (the packaged jar in its own
 * JVM): killed with SIGKILL mid-stream and restarted, and the broker restarted under a producer.
 * Exactly-once processing must leave every count equal to what was produced.
 */
class FaultToleranceIT {

    private static final List<String> CONTEXTS =
            List.of("occupation:cooks", "occupation:cashiers", "occupation:lawyers");
    private static final String[] GENDERS = {"female", "male", "nonbinary"};
    /** The auditor's application id, which Kafka Streams uses as its consumer group. */
    private static final String AUDITOR_GROUP = "fault-auditor";

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void countsAfterAnAuditorKillAndABrokerRestartEqualWhatWasProduced(@TempDir Path dir) throws Exception {
        // given a cluster, targets, and an auditor process
        try (LocalCluster cluster = new LocalCluster(dir.resolve("cluster")).start()) {
            new TopicProvisioner(cluster.bootstrapServers(), (short) 1).ensureAll();
            SchemaRegistryClient registry = SchemaRegistryClient.shared(cluster.registryUrl());
            TargetPublisher.publish(cluster.bootstrapServers(), cluster.registryUrl(), TargetPresets.uniform(0.08));
            int port = FreePorts.pick();
            String model = "fault-" + UUID.randomUUID().toString().substring(0, 6);
            Map<String, Map<String, Integer>> expected = new HashMap<>();
            Process auditor = startAuditor(cluster, dir, port);
            try (KafkaProducer<String, GenerationEvent> producer = new KafkaProducer<>(
                    Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            cluster.bootstrapServers(),
                            ProducerConfig.ACKS_CONFIG,
                            "all",
                            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                            true,
                            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                            120_000),
                    new StringSerializer(),
                    new AvroSerializer<>(registry, true, false))) {
                // when 1500 events are produced and the auditor is killed (SIGKILL) while counting them
                produce(producer, model, 0, 1500, expected);
                await().atMost(Duration.ofSeconds(90)).until(() -> total(port, model) > 0);
                auditor.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                produce(producer, model, 1500, 500, expected);
                auditor = startAuditor(cluster, dir, port);

                // and the broker is restarted while 1000 more are produced
                produce(producer, model, 2000, 500, expected);
                cluster.broker().stop();
                cluster.broker().start();
                produce(producer, model, 2500, 500, expected);
                producer.flush();

                // then every (context, gender) count is exactly what was produced: none lost, none twice
                int produced = 3000;
                await().atMost(Duration.ofSeconds(180))
                        .pollInterval(Duration.ofSeconds(2))
                        .until(() -> total(port, model) >= produced);
                // anything counted twice is counted by the time the auditor has committed every record it
                // consumes, its own repartition topic included: only then are the counts final
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> committedEverything(cluster, AUDITOR_GROUP));
                for (String context : CONTEXTS) {
                    JsonNode row = get(
                                    port, "/api/distributions?model=" + model + "&attribute=gender&context=" + context)
                            .get(0);
                    for (String g : GENDERS) {
                        assertThat(row.path("counts").path(g).asInt())
                                .as("%s %s", context, g)
                                .isEqualTo(expected.get(context).get(g));
                    }
                }
                assertThat(total(port, model)).isEqualTo(produced);
            } finally {
                auditor.destroy();
                auditor.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    private Process startAuditor(LocalCluster cluster, Path dir, int port) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                "java",
                "-jar",
                System.getProperty("ballast.jar"),
                "auditor",
                "--set",
                "bootstrap.servers=" + cluster.bootstrapServers(),
                "--set",
                "schema.registry.url=" + cluster.registryUrl(),
                "--set",
                "ballast.auditor.state-dir=" + dir.resolve("auditor-state"),
                "--set",
                "ballast.auditor.application-id=" + AUDITOR_GROUP,
                "--set",
                "ballast.auditor.commit-interval-ms=200",
                "--set",
                "ballast.http.port=" + port));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("auditor.log").toFile()))
                .start();
        await().atMost(Duration.ofSeconds(60))
                .ignoreExceptions()
                .until(() -> http.send(
                                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200);
        return p;
    }

    private static void produce(
            KafkaProducer<String, GenerationEvent> producer,
            String model,
            int from,
            int count,
            Map<String, Map<String, Integer>> expected) {
        for (int i = from; i < from + count; i++) {
            String context = CONTEXTS.get(i % CONTEXTS.size());
            String gender = GENDERS[(i / CONTEXTS.size()) % GENDERS.length];
            expected.computeIfAbsent(context, c -> new HashMap<>()).merge(gender, 1, Integer::sum);
            String pronoun = gender.equals("female") ? "She" : gender.equals("male") ? "He" : "They";
            producer.send(new ProducerRecord<>(
                    BallastTopic.GENERATIONS.topicName(),
                    context,
                    GenerationEvent.newBuilder()
                            .setEventId("e-" + i)
                            .setGeneratorId("fault-test")
                            .setModelId(model)
                            .setModelVersion(1)
                            .setPromptId("p")
                            .setContextKey(context)
                            .setPromptText("Write a short bio.")
                            .setSteeringTokens(
                                    List.of("<gender:" + gender + ">", "<race:white>", "<sentiment:neutral>"))
                            .setResponseText("Sam works here. " + pronoun + " "
                                    + (gender.equals("nonbinary") ? "keep" : "keeps") + " a steady routine.")
                            .setPromptTokens(5)
                            .setResponseTokens(9)
                            .setSampling(SamplingParameters.newBuilder()
                                    .setTemperature(1)
                                    .setTopK(0)
                                    .setTopP(1)
                                    .build())
                            .setProducedAt(Instant.now())
                            .setLatencyMs(1)
                            .build()));
        }
    }

    /**
     * Whether the group's committed offset has reached the last committed record of every partition it
     * reads. On a topic written in transactions (the auditor's repartition topic) the last offset below
     * the stable offset is the commit marker, which a committed position may stop just before.
     */
    private static boolean committedEverything(LocalCluster cluster, String group) throws Exception {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
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

    private long total(int port, String model) throws Exception {
        JsonNode rows = get(port, "/api/distributions?model=" + model + "&attribute=gender");
        long n = 0;
        if (rows.isArray()) {
            for (JsonNode r : rows) {
                n += r.path("n").asLong();
            }
        }
        return n;
    }

    /** The rows of an auditor answer ({"rows": [...], "missing": [...]}). */
    private JsonNode get(int port, String path) throws Exception {
        return json.readTree(http.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body())
                .path("rows");
    }
}

package io.ballast.auditor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ballast.embedded.LocalCluster;
import io.ballast.runtime.ConfigSource;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SampleEvents;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two auditor instances share the partitions, and either answers for all of them. */
class AuditorScaleOutIT {

    private static final List<String> CONTEXTS = List.of(
            "occupation:cooks",
            "occupation:cashiers",
            "occupation:lawyers",
            "occupation:pharmacists",
            "occupation:surgeons",
            "occupation:dentists",
            "occupation:electricians",
            "occupation:carpenters");
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void eachOfTwoInstancesAnswersForEveryContextWhateverPartitionItLivesOn(@TempDir Path dir) throws Exception {
        // given two instances of one auditor application
        LocalCluster cluster = LocalCluster.shared();
        new TopicProvisioner(cluster.bootstrapServers(), (short) 1).ensureAll();
        TargetPublisher.publish(cluster.bootstrapServers(), cluster.registryUrl(), TargetPresets.uniform(0.08));
        String model = "scale-" + UUID.randomUUID().toString().substring(0, 6);
        try (AuditorApp a = start(cluster, dir.resolve("a"), model);
                AuditorApp b = start(cluster, dir.resolve("b"), model)) {
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> a.streams().state() == KafkaStreams.State.RUNNING
                            && b.streams().state() == KafkaStreams.State.RUNNING);

            // when 40 events per context arrive
            try (KafkaProducer<String, GenerationEvent> p = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                    new StringSerializer(),
                    new AvroSerializer<>(SchemaRegistryClient.shared(cluster.registryUrl()), true, false))) {
                for (int i = 0; i < 40 * CONTEXTS.size(); i++) {
                    String context = CONTEXTS.get(i % CONTEXTS.size());
                    p.send(new ProducerRecord<>(
                            BallastTopic.GENERATIONS.topicName(),
                            context,
                            SampleEvents.foreign(model, context, "Maria is a worker. She is kind.")));
                }
            }

            // then both instances hold part of the state, and each answers with all eight contexts, fully counted
            await().atMost(Duration.ofSeconds(90)).until(() -> fullyCounted(a, model) && fullyCounted(b, model));
            int localA = get(a, "/api/distributions?local=true&attribute=gender&model=" + model)
                    .size();
            int localB = get(b, "/api/distributions?local=true&attribute=gender&model=" + model)
                    .size();
            assertThat(localA + localB).isEqualTo(CONTEXTS.size());
            assertThat(localA).as("instance a owns some contexts").isPositive();
            assertThat(localB).as("instance b owns some contexts").isPositive();

            // and a client's local=false is not passed on (instances once asked each other in a circle until
            // their request threads ran out): each asks the other once, for its local part, and answers in time
            for (AuditorApp app : List.of(a, b)) {
                JsonNode answer = answer(app, "/api/distributions?local=false&attribute=gender&model=" + model);
                assertThat(answer.get("rows")).hasSize(CONTEXTS.size());
                assertThat(answer.get("missing")).isEmpty();
            }
        }
    }

    private boolean fullyCounted(AuditorApp app, String model) throws Exception {
        JsonNode rows = get(app, "/api/distributions?attribute=gender&model=" + model);
        if (!rows.isArray() || rows.size() != CONTEXTS.size()) {
            return false;
        }
        for (JsonNode r : rows) {
            if (r.path("n").asInt() != 40) {
                return false;
            }
        }
        return true;
    }

    private AuditorApp start(LocalCluster cluster, Path stateDir, String model) throws Exception {
        return new AuditorApp(AuditorConfig.from(ConfigSource.ofMap(Map.of(
                        AuditorConfig.BOOTSTRAP_SERVERS,
                        cluster.bootstrapServers(),
                        AuditorConfig.SCHEMA_REGISTRY_URL,
                        cluster.registryUrl(),
                        AuditorConfig.APPLICATION_ID,
                        "scale-out-" + model,
                        AuditorConfig.STATE_DIR,
                        stateDir.toString(),
                        AuditorConfig.HTTP_PORT,
                        "0",
                        AuditorConfig.COMMIT_INTERVAL_MS,
                        "200"))))
                .start();
    }

    /** The rows of an answer. */
    private JsonNode get(AuditorApp app, String path) throws Exception {
        return answer(app, path).path("rows");
    }

    /** The whole answer, {"rows": [...], "missing": [...]}, within 10 s. */
    private JsonNode answer(AuditorApp app, String path) throws Exception {
        return json.readTree(http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
    }
}

package io.ballast.auditor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ballast.embedded.LocalCluster;
import io.ballast.runtime.ConfigSource;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SampleEvents;
import io.ballast.schemas.registry.SchemaRegistry;
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
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue #13, part 3, as deployed: the expression rate in {@code /api/distributions}, the metrics and on the dashboard. */
class ExpressionRateAppIT {

    private static final String CASHIERS = "occupation:cashiers";
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aModelThatNeverNamesRaceShowsARaceExpressionRateOfZeroAndNoRaceDrift(@TempDir Path stateDir) throws Exception {
        // given uniform targets and an auditor
        LocalCluster cluster = LocalCluster.shared();
        new TopicProvisioner(cluster.bootstrapServers(), (short) 1).ensureAll();
        SchemaRegistry registry = SchemaRegistry.forUrl(cluster.registryUrl());
        TargetPublisher.publish(cluster.bootstrapServers(), cluster.registryUrl(), TargetPresets.uniform(0.08));
        String model = "plain-" + UUID.randomUUID().toString().substring(0, 6);
        AuditorConfig config = AuditorConfig.from(ConfigSource.ofMap(Map.of(
                AuditorConfig.BOOTSTRAP_SERVERS,
                cluster.bootstrapServers(),
                AuditorConfig.SCHEMA_REGISTRY_URL,
                cluster.registryUrl(),
                AuditorConfig.APPLICATION_ID,
                "expression-test-" + model,
                AuditorConfig.STATE_DIR,
                stateDir.toString(),
                AuditorConfig.HTTP_PORT,
                "0",
                AuditorConfig.COMMIT_INTERVAL_MS,
                "200",
                AuditorConfig.SNAPSHOT_INTERVAL_MS,
                "200")));
        try (AuditorApp auditor = new AuditorApp(config).start()) {
            String base = "http://127.0.0.1:" + auditor.httpPort();

            // when a model with no steering tokens writes 200 cashier bios, all about women, none naming a race
            try (KafkaProducer<String, GenerationEvent> p = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                    new StringSerializer(),
                    new AvroSerializer<>(registry, true, false))) {
                for (int i = 0; i < 200; i++) {
                    p.send(new ProducerRecord<>(
                            BallastTopic.GENERATIONS.topicName(),
                            CASHIERS,
                            SampleEvents.foreign(model, CASHIERS, "Maria is a cashier. She is kind.")));
                }
            }

            // then /api/distributions reports race as not expressed, with its rate, instead of a distribution of
            // 'unknown'
            await().atMost(Duration.ofSeconds(60)).until(() -> n(base, model, "race") == 200);
            JsonNode race = get(base + "/api/distributions?model=" + model + "&attribute=race")
                    .get(0);
            assertThat(race.path("expressed").asLong()).isZero();
            assertThat(race.path("expressionRate").asDouble()).isEqualTo(0.0);
            assertThat(race.path("tooFewExpressed").asBoolean()).isTrue();
            assertThat(race.path("proportions").isEmpty()).isTrue();
            JsonNode gender = get(base + "/api/distributions?model=" + model + "&attribute=gender")
                    .get(0);
            assertThat(gender.path("expressionRate").asDouble()).isEqualTo(1.0);

            // and gender drifts (all women against a uniform target) while race does not
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> get(base + "/api/drift?model=" + model + "&attribute=gender")
                                    .size()
                            == 1);
            assertThat(get(base + "/api/drift?model=" + model + "&attribute=race"))
                    .isEmpty();

            // and the metrics carry the rate
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> text(base + "/metrics").contains("ballast_auditor_expression_rate{"));

            // and the dashboard's race tab shows the rate and says there are too few expressing outputs, not drift
            String dom = AuditorAppIT.chromium(
                    base + "/#race", Path.of("target", "dashboard-race.png").toAbsolutePath());
            String row = dom.substring(dom.indexOf("data-context=\"" + CASHIERS + "\""));
            row = row.substring(0, row.indexOf("</tr>"));
            assertThat(row)
                    .contains("class=\"num expressed")
                    .contains(">0.0%<")
                    .contains("too few expressed")
                    .doesNotContain("DRIFT");
        }
    }

    private long n(String base, String model, String attribute) throws Exception {
        JsonNode rows = get(base + "/api/distributions?model=" + model + "&attribute=" + attribute);
        return rows.isArray() && !rows.isEmpty() ? rows.get(0).path("n").asLong() : 0;
    }

    private JsonNode get(String url) throws Exception {
        JsonNode answer = json.readTree(text(url));
        // distributions, drift and windows answer {"rows": [...], "missing": [...]}; targets a bare array
        return answer.has("rows") ? answer.get("rows") : answer;
    }

    private String text(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }
}

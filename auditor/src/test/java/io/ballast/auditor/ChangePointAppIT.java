package io.ballast.auditor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ballast.embedded.LocalCluster;
import io.ballast.runtime.ConfigSource;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SamplingParameters;
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
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #25, as deployed: a context on target for 30,000 outputs, then shifted, opens a drift
 * episode within a few hundred shifted outputs (the since-live test alone needed about 19,000), and
 * {@code /api/drift} shows the change detector's statistic beside its threshold.
 */
class ChangePointAppIT {

    private static final String NURSES = "occupation:registered-nurses";
    private static final int HEALTHY = 30_000;
    private static final int SHIFTED = 3_000;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aContextOnTargetFor30000OutputsThenShiftedOpensAnEpisodeWithinTheBenchsDelay(@TempDir Path stateDir)
            throws Exception {
        // given uniform targets with tolerance 0.08 and an auditor
        LocalCluster cluster = LocalCluster.shared();
        new TopicProvisioner(cluster.bootstrapServers(), (short) 1).ensureAll();
        SchemaRegistry registry = SchemaRegistry.forUrl(cluster.registryUrl());
        TargetPublisher.publish(cluster.bootstrapServers(), cluster.registryUrl(), TargetPresets.uniform(0.08));
        String model = "steady-" + UUID.randomUUID().toString().substring(0, 6);
        AuditorConfig config = AuditorConfig.from(ConfigSource.ofMap(Map.of(
                AuditorConfig.BOOTSTRAP_SERVERS,
                cluster.bootstrapServers(),
                AuditorConfig.SCHEMA_REGISTRY_URL,
                cluster.registryUrl(),
                AuditorConfig.APPLICATION_ID,
                "change-point-test-" + model,
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

            // when a foreign producer writes 30,000 nurse bios on target (a third each she, he, they), then 3,000
            // at female 0.5, male 0.4, nonbinary 0.1; each output's record time is its index, so the episode's
            // opening time says which output opened it
            long t0 = System.currentTimeMillis() - 3_600_000L;
            SplittableRandom random = new SplittableRandom(25);
            try (KafkaProducer<String, GenerationEvent> p = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                    new StringSerializer(),
                    new AvroSerializer<>(registry, true, false))) {
                for (int i = 0; i < HEALTHY + SHIFTED; i++) {
                    double u = random.nextDouble();
                    String text = i < HEALTHY
                            ? (u < 1 / 3.0 ? SHE : u < 2 / 3.0 ? HE : THEY)
                            : (u < 0.5 ? SHE : u < 0.9 ? HE : THEY);
                    p.send(new ProducerRecord<>(
                            BallastTopic.GENERATIONS.topicName(), null, t0 + i, NURSES, event(model, text)));
                }
            }

            // then one gender episode opens, after the change and within a thousand shifted outputs
            await().atMost(Duration.ofSeconds(120)).until(() -> n(base, model) == HEALTHY + SHIFTED);
            JsonNode episodes = get(base + "/api/drift?model=" + model + "&attribute=gender");
            assertThat(episodes).hasSize(1);
            JsonNode episode = episodes.get(0);
            long delay = episode.path("openedAtMillis").asLong() - t0 - HEALTHY + 1;
            assertThat(delay).isBetween(1L, 1_000L);
            // and it shows the detector: its e-SR statistic and threshold, both as logarithms
            JsonNode detector = episode.path("detector");
            assertThat(detector.path("logThreshold").asDouble()).isCloseTo(Math.log(1e6), within(1e-9));
            assertThat(detector.path("logSegmentThreshold").asDouble()).isCloseTo(Math.log(100), within(1e-9));
            assertThat(detector.has("logStatistic")).isTrue();
            JsonNode distribution = get(base + "/api/distributions?model=" + model + "&attribute=gender")
                    .get(0);
            assertThat(distribution.path("detector").path("logThreshold").asDouble())
                    .isCloseTo(Math.log(1e6), within(1e-9));
        }
    }

    private static final String SHE = "Maria is a nurse. She is kind.";
    private static final String HE = "James is a nurse. He is kind.";
    private static final String THEY = "Alex is a nurse. They love their work.";

    private long n(String base, String model) throws Exception {
        JsonNode rows = get(base + "/api/distributions?model=" + model + "&attribute=gender");
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

    private static GenerationEvent event(String model, String text) {
        return GenerationEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setGeneratorId("elsewhere")
                .setModelId(model)
                .setModelVersion(1)
                .setPromptId("p")
                .setContextKey(NURSES)
                .setPromptText("Write a short bio.")
                .setSteeringTokens(null)
                .setResponseText(text)
                .setPromptTokens(5)
                .setResponseTokens(8)
                .setSampling(SamplingParameters.newBuilder()
                        .setTemperature(1)
                        .setTopK(0)
                        .setTopP(1)
                        .build())
                .setProducedAt(Instant.now())
                .setLatencyMs(3)
                .build();
    }
}

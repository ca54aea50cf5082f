package io.ballast.generator.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ballast.embedded.LocalCluster;
import io.ballast.generator.TinyModels;
import io.ballast.generator.sampling.SamplingParams;
import io.ballast.runtime.ConfigException;
import io.ballast.runtime.ConfigSource;
import io.ballast.schemas.topics.TopicProvisioner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class GeneratorHttpIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void postGenerateServesSamplesAndMetricsCountThem() throws Exception {
        // given a generator on the tiny model, serving HTTP on a free port
        LocalCluster cluster = LocalCluster.shared();
        new TopicProvisioner(cluster.bootstrapServers(), (short) 1).ensureAll();
        Map<String, String> settings = new HashMap<>(Map.of(
                GeneratorConfig.BOOTSTRAP_SERVERS, cluster.bootstrapServers(),
                GeneratorConfig.SCHEMA_REGISTRY_URL, cluster.registryUrl(),
                GeneratorConfig.MODEL_STORE, TinyModels.newStore().root().toString(),
                GeneratorConfig.MODEL_ID, "bios",
                GeneratorConfig.HTTP_PORT, "0"));
        try (GeneratorApp app = new GeneratorApp(GeneratorConfig.from(ConfigSource.ofMap(settings))).start()) {
            String base = "http://127.0.0.1:" + app.httpPort();

            // when a client asks for three bios of a nurse
            HttpResponse<String> ok =
                    post(base + "/generate", "{\"context\":\"occupation:registered-nurses\",\"n\":3,\"seed\":4}");

            // then it gets three samples with steering tokens, from the live version
            assertThat(ok.statusCode()).isEqualTo(200);
            JsonNode body = new ObjectMapper().readTree(ok.body());
            assertThat(body.path("modelVersion").asInt()).isEqualTo(app.slot().currentVersion());
            assertThat(body.path("generations")).hasSize(3);
            assertThat(body.path("generations").get(0).path("steeringTokens")).hasSize(3);
            assertThat(body.path("generations").get(0).path("text").asText()).isNotBlank();

            // and bad input is a 400 that says what is wrong
            HttpResponse<String> bad = post(base + "/generate", "{\"context\":\"occupation:astronauts\"}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("unknown context");
            assertThat(post(base + "/generate", "{\"context\":\"occupation:registered-nurses\",\"n\":0}")
                            .statusCode())
                    .isEqualTo(400);

            // and /metrics and /health report it
            String metrics = http.send(
                            HttpRequest.newBuilder(URI.create(base + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(metrics)
                    .contains("ballast_generator_requests_total{outcome=\"ok\"} 1.0")
                    .contains("ballast_generator_model_version")
                    .contains("ballast_generator_latency_seconds_bucket")
                    .contains("ballast_generator_tokens_total");
            assertThat(http.send(
                                    HttpRequest.newBuilder(URI.create(base + "/health"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void aBadSettingFailsAtStartNamingItsKey() {
        Map<String, String> settings = Map.of(
                GeneratorConfig.BOOTSTRAP_SERVERS, "localhost:9092",
                GeneratorConfig.SCHEMA_REGISTRY_URL, "http://localhost:8081",
                GeneratorConfig.HTTP_PORT, "eighty");
        assertThatThrownBy(() -> GeneratorConfig.from(ConfigSource.ofMap(settings)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ballast.http.port='eighty'");
        assertThatThrownBy(() ->
                        GeneratorConfig.from(ConfigSource.ofMap(Map.of(GeneratorConfig.SCHEMA_REGISTRY_URL, "x"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("bootstrap.servers")
                .hasMessageContaining("BOOTSTRAP_SERVERS");
        assertThatThrownBy(() -> GeneratorConfig.from(ConfigSource.ofMap(Map.of(
                        GeneratorConfig.BOOTSTRAP_SERVERS,
                        "k:9092",
                        GeneratorConfig.SCHEMA_REGISTRY_URL,
                        "x",
                        GeneratorConfig.PLAN_CONTEXTS,
                        "occupation:astronauts"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ballast.plan.contexts");
    }

    @Test
    void shutdownRejectsWhatItCannotFinishExplicitly() throws Exception {
        LocalCluster cluster = LocalCluster.shared();
        Map<String, String> settings = Map.of(
                GeneratorConfig.BOOTSTRAP_SERVERS, cluster.bootstrapServers(),
                GeneratorConfig.SCHEMA_REGISTRY_URL, cluster.registryUrl(),
                GeneratorConfig.MODEL_STORE, TinyModels.newStore().root().toString(),
                GeneratorConfig.HTTP_PORT, "0",
                GeneratorConfig.SHUTDOWN_GRACE_MS, "0");
        GeneratorApp app = new GeneratorApp(GeneratorConfig.from(ConfigSource.ofMap(settings))).start();
        var futures = new ArrayList<CompletableFuture<GenerationRequest.Result>>();
        String prompt = "Write a short bio of a cook.";
        for (int i = 0; i < 30; i++) {
            futures.add(app.service().submit("occupation:cooks", "test", prompt, 8, SamplingParams.defaults()));
        }
        app.close();
        // every request either completed or was rejected with a reason: none is left hanging
        long rejected = 0;
        for (var f : futures) {
            assertThat(f).isDone();
            if (f.isCompletedExceptionally()) {
                rejected++;
                assertThatThrownBy(f::join).hasCauseInstanceOf(GenerationRequest.RejectedException.class);
            }
        }
        assertThat(rejected).isPositive();
        assertThat(app.service().submit("occupation:cooks", "test", prompt, 1, SamplingParams.defaults()))
                .isCompletedExceptionally();
    }

    private HttpResponse<String> post(String url, String json) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

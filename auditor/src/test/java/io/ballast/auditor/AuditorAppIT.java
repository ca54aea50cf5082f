package io.ballast.auditor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ballast.embedded.LocalCluster;
import io.ballast.runtime.ConfigSource;
import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SamplingParameters;
import io.ballast.schemas.registry.SchemaRegistryClient;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.serde.AvroSerializer;
import io.ballast.schemas.targets.TargetPresets;
import io.ballast.schemas.targets.TargetPublisher;
import io.ballast.schemas.topics.BallastTopic;
import io.ballast.schemas.topics.TopicProvisioner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The auditor as deployed: real broker, registry, exactly-once Streams, HTTP, and the dashboard in Chromium. */
class AuditorAppIT {

    private static final String NURSES = "occupation:registered-nurses";
    private static final String COOKS = "occupation:cooks";
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void auditsALiveStreamServesItOverHttpAndTheDashboardRendersIt(@TempDir Path stateDir) throws Exception {
        // given a broker with Ballast's topics, uniform targets, and an auditor
        LocalCluster cluster = LocalCluster.shared();
        new TopicProvisioner(cluster.bootstrapServers(), (short) 1).ensureAll();
        SchemaRegistryClient registry = SchemaRegistryClient.shared(cluster.registryUrl());
        TargetPublisher.publish(cluster.bootstrapServers(), cluster.registryUrl(), TargetPresets.uniform(0.08));
        String model = "audit-" + UUID.randomUUID().toString().substring(0, 6);
        AuditorConfig config = AuditorConfig.from(ConfigSource.ofMap(Map.of(
                AuditorConfig.BOOTSTRAP_SERVERS,
                cluster.bootstrapServers(),
                AuditorConfig.SCHEMA_REGISTRY_URL,
                cluster.registryUrl(),
                AuditorConfig.APPLICATION_ID,
                "auditor-test-" + model,
                AuditorConfig.STATE_DIR,
                stateDir.toString(),
                AuditorConfig.HTTP_PORT,
                "0",
                AuditorConfig.COMMIT_INTERVAL_MS,
                "200")));
        try (AuditorApp auditor = new AuditorApp(config).start()) {
            String base = "http://127.0.0.1:" + auditor.httpPort();

            // when 300 skewed nurse bios, 120 balanced cook bios and two bad records arrive
            Random random = new Random(3);
            try (KafkaProducer<String, GenerationEvent> p = new KafkaProducer<>(
                            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                            new StringSerializer(),
                            new AvroSerializer<>(registry, true, false));
                    KafkaProducer<String, byte[]> raw = new KafkaProducer<>(
                            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                            new StringSerializer(),
                            new ByteArraySerializer())) {
                for (int i = 0; i < 300; i++) {
                    boolean female = random.nextDouble() < 0.95;
                    p.send(new ProducerRecord<>(
                            BallastTopic.GENERATIONS.topicName(),
                            NURSES,
                            event(model, NURSES, female ? "female" : "male")));
                }
                String[] genders = {"female", "male", "nonbinary"};
                for (int i = 0; i < 120; i++) {
                    p.send(new ProducerRecord<>(
                            BallastTopic.GENERATIONS.topicName(), COOKS, event(model, COOKS, genders[i % 3])));
                }
                raw.send(new ProducerRecord<>(
                        BallastTopic.GENERATIONS.topicName(),
                        NURSES,
                        "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8)));
                raw.send(new ProducerRecord<>(BallastTopic.GENERATIONS.topicName(), NURSES, new byte[] {0, 0, 0}));
            }

            // then the API shows every event counted exactly once, with MAE against the target
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> n(base, model, NURSES) == 300 && n(base, model, COOKS) == 120);
            JsonNode nurses = get(base + "/api/distributions?model=" + model + "&context=" + NURSES
                            + "&attribute=gender")
                    .get(0);
            assertThat(nurses.path("proportions").path("female").asDouble()).isGreaterThan(0.9);
            assertThat(nurses.path("mae").asDouble()).isGreaterThan(0.3);
            assertThat(nurses.path("consistencyRate").asDouble()).isEqualTo(1.0);
            // beside what the text expresses, what the tokens intended, and which classifier read the text
            assertThat(nurses.path("intended").path("female").asLong()
                            + nurses.path("intended").path("male").asLong())
                    .isEqualTo(300);
            assertThat(nurses.path("classifier").asText()).isEqualTo("gender-rules@1");
            assertThat(nurses.path("sampleRate").asDouble()).isEqualTo(1.0);

            // and one drift episode is open, for nurses only
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> get(base + "/api/drift?model=" + model + "&attribute=gender")
                                    .size()
                            >= 1);
            JsonNode episodes = get(base + "/api/drift?model=" + model + "&attribute=gender");
            assertThat(episodes).hasSize(1);
            assertThat(episodes.get(0).path("context").asText()).isEqualTo(NURSES);
            assertThat(episodes.get(0).path("status").asText()).isEqualTo("OPEN");
            assertThat(get(base + "/api/targets")).isNotEmpty();

            // and both bad records are in the DLQ with their reasons
            assertThat(deadLetterReasons(cluster, registry)).contains("WRONG_MAGIC_BYTE", "TRUNCATED");

            // and the metrics say so (the MAE gauges follow the wall-clock snapshot, up to a second or so
            // after the store the API reads: wait for them rather than race the punctuation)
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> text(base + "/metrics").contains("ballast_auditor_mae{"));
            String metrics = text(base + "/metrics");
            assertThat(metrics)
                    .contains("ballast_auditor_records_processed_total")
                    .contains("ballast_auditor_dlq_records_total")
                    .contains("ballast_auditor_drift_open_episodes")
                    .contains("ballast_auditor_mae{")
                    .contains("ballast_auditor_consumer_lag");

            // and the dashboard, rendered by a real headless browser, shows the contexts and numbers
            Path shot = Path.of("target", "dashboard.png").toAbsolutePath();
            String dom = chromium(base + "/", shot);
            assertThat(dom)
                    .contains("registered-nurses")
                    .contains("cooks")
                    .contains(">300<")
                    .contains(">120<")
                    .contains("DRIFT")
                    .contains(String.format("%.3f", nurses.path("mae").asDouble()));
            assertThat(Files.size(shot)).isGreaterThan(10_000);

            // and a record from a service that is not ours (Confluent's Python client) is audited like our own
            Process python = new ProcessBuilder(
                            "/usr/bin/python3",
                            Path.of("src/test/python/produce_generation.py")
                                    .toAbsolutePath()
                                    .toString(),
                            cluster.bootstrapServers(),
                            cluster.registryUrl(),
                            model,
                            "occupation:lawyers")
                    .redirectErrorStream(true)
                    .start();
            String pyOut = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(python.exitValue()).as(pyOut).isZero();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> get(base + "/api/distributions?model=" + model
                                            + "&context=occupation:lawyers&attribute=race")
                                    .size()
                            == 1);
            JsonNode lawyer = get(base + "/api/distributions?model=" + model
                            + "&context=occupation:lawyers&attribute=race")
                    .get(0);
            assertThat(lawyer.path("version").asInt()).isEqualTo(7);
            assertThat(lawyer.path("counts").path("asian").asInt()).isEqualTo(1);
        }
    }

    private int n(String base, String model, String context) throws Exception {
        JsonNode rows = get(base + "/api/distributions?model=" + model + "&context=" + context + "&attribute=gender");
        return rows.isArray() && !rows.isEmpty() ? rows.get(0).path("n").asInt() : 0;
    }

    private List<String> deadLetterReasons(LocalCluster cluster, SchemaRegistryClient registry) {
        List<String> reasons = new ArrayList<>();
        try (KafkaConsumer<String, DeadLetter> c = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        cluster.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "dlq-check-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new StringDeserializer(),
                new AvroDeserializer<>(DeadLetter.class, registry))) {
            c.subscribe(List.of(BallastTopic.DLQ.topicName()));
            long deadline = System.currentTimeMillis() + 30_000;
            while (reasons.size() < 2 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, DeadLetter> r : c.poll(Duration.ofMillis(300))) {
                    reasons.add(r.value().getReason());
                }
            }
        }
        return reasons;
    }

    /** Debian's Chromium, headless: the DOM after scripts ran (virtual time lets fetches finish) and a screenshot. */
    static String chromium(String url, Path screenshot) throws Exception {
        Path profile = Files.createTempDirectory("chromium-profile-");
        List<String> common = List.of(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--virtual-time-budget=10000",
                "--window-size=1280,1000");
        List<String> dump = new ArrayList<>(List.of("chromium"));
        dump.addAll(common);
        dump.add("--dump-dom");
        dump.add(url);
        Process p = new ProcessBuilder(dump)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue())
                .as("chromium --dump-dom exit (is Debian's chromium installed? .ci/run installs it)")
                .isZero();
        List<String> shot = new ArrayList<>(List.of("chromium"));
        shot.addAll(common);
        shot.add("--screenshot=" + screenshot);
        shot.add(url);
        Process s = new ProcessBuilder(shot)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertThat(s.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return dom;
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

    private static GenerationEvent event(String model, String context, String gender) {
        return event(model, context, gender, 1, null, Instant.now());
    }

    /** A bio of the given gender, produced by (version, patch: null for none) at {@code producedAt}. */
    static GenerationEvent event(
            String model, String context, String gender, int version, String patch, Instant producedAt) {
        String name = switch (gender) {
            case "female" -> "Maria";
            case "male" -> "James";
            default -> "Riley";
        };
        String pronoun = switch (gender) {
            case "female" -> "She";
            case "male" -> "He";
            default -> "They";
        };
        return GenerationEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setGeneratorId("test")
                .setModelId(model)
                .setModelVersion(version)
                .setSteeringPatch(patch)
                .setPromptId("p")
                .setContextKey(context)
                .setPromptText("Write a short bio.")
                .setSteeringTokens(List.of("<gender:" + gender + ">", "<race:white>", "<sentiment:positive>"))
                .setResponseText(name + " is a white worker. " + pronoun + " "
                        + (gender.equals("nonbinary") ? "love" : "loves") + " the job.")
                .setPromptTokens(5)
                .setResponseTokens(12)
                .setSampling(SamplingParameters.newBuilder()
                        .setTemperature(1)
                        .setTopK(0)
                        .setTopP(1)
                        .build())
                .setProducedAt(producedAt)
                .setLatencyMs(3)
                .build();
    }
}

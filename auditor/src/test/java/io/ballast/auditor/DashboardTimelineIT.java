package io.ballast.auditor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ballast.embedded.LocalCluster;
import io.ballast.schemas.GenerationEvent;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's MAE-over-time chart, rendered by headless Chromium: drift, a patch, a promotion. */
class DashboardTimelineIT {

    private static final String NURSES = "occupation:registered-nurses";

    @Test
    void givenDriftThenAPatchThenAPromotion_whenTheDashboardRenders_thenTheChartHasTheContextsLineAndThreeMarkers(
            @TempDir Path stateDir) throws Exception {
        // given an auditor with one-minute windows hopping every 15 s, and uniform targets
        LocalCluster cluster = LocalCluster.shared();
        SchemaRegistryClient registry = SchemaRegistryClient.shared(cluster.registryUrl());
        String model = "timeline-" + UUID.randomUUID().toString().substring(0, 6);
        new TopicProvisioner(cluster.bootstrapServers(), (short) 1).ensureAll();
        TargetPublisher.publish(cluster.bootstrapServers(), cluster.registryUrl(), TargetPresets.uniform(0.08));
        try (LiveAuditor auditor = LiveAuditor.start(
                cluster, stateDir, Map.of(AuditorConfig.WINDOW_SIZE, "60", AuditorConfig.WINDOW_ADVANCE, "15"))) {
            String base = "http://127.0.0.1:" + auditor.app.httpPort();

            // when nurse bios come skewed from v1 for two minutes, balanced under a patch of v1 for one,
            // and balanced from v2 for one, in event time
            Instant start = Instant.now().minusSeconds(240);
            Random random = new Random(5);
            String[] genders = {"female", "male", "nonbinary"};
            try (KafkaProducer<String, GenerationEvent> p = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                    new StringSerializer(),
                    new AvroSerializer<>(registry, true, false))) {
                for (int i = 0; i < 480; i++) {
                    Instant at = start.plusMillis(500L * i);
                    GenerationEvent e = i < 240
                            ? AuditorAppIT.event(
                                    model, NURSES, random.nextDouble() < 0.95 ? "female" : "male", 1, null, at)
                            : i < 360
                                    ? AuditorAppIT.event(model, NURSES, genders[i % 3], 1, "bios-1-p1", at)
                                    : AuditorAppIT.event(model, NURSES, genders[i % 3], 2, null, at);
                    p.send(new ProducerRecord<>(BallastTopic.GENERATIONS.topicName(), NURSES, e));
                }
            }
            await().atMost(Duration.ofSeconds(60))
                    .until(() ->
                            text(base + "/api/distributions?model=" + model).contains("\"version\":2"));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> text(base + "/api/drift?model=" + model).contains(NURSES));

            // then the page, rendered by a real headless browser, draws the nurses' MAE over time with markers
            // at the alarm, the patch and the promotion
            Path shot = Path.of("target", "dashboard-timeline.png").toAbsolutePath();
            String dom = AuditorAppIT.chromium(base + "/", shot);
            assertThat(dom)
                    .contains("id=\"timeline-chart\"")
                    .contains("data-context=\"" + NURSES + "\"")
                    .contains("marker marker-alarm")
                    .contains("marker marker-patch")
                    .contains("marker marker-promotion");
            // and the line joins windows of all three variants (one point per window end at least)
            String path = dom.substring(dom.indexOf("data-context=\"" + NURSES + "\""));
            path = path.substring(path.indexOf(" d=\"") + 4, path.indexOf("\"", path.indexOf(" d=\"") + 4));
            assertThat(path.split("L").length).as(path).isGreaterThanOrEqualTo(6);
            assertThat(Files.size(shot)).isGreaterThan(10_000);
        }
    }

    private static String text(String url) throws Exception {
        return HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }
}

package io.ballast.auditor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.ballast.embedded.LocalCluster;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SampleEvents;
import io.ballast.schemas.registry.SchemaRegistry;
import io.ballast.schemas.serde.AvroSerializer;
import io.ballast.schemas.targets.TargetPresets;
import io.ballast.schemas.targets.TargetPublisher;
import io.ballast.schemas.topics.BallastTopic;
import java.nio.file.Path;
import java.time.Duration;
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
    private static final String SHE = "Maria is a nurse. She is kind.";
    private static final String HE = "James is a nurse. He is kind.";
    private static final String THEY = "Alex is a nurse. They love their work.";

    @Test
    void aContextOnTargetFor30000OutputsThenShiftedOpensAnEpisodeWithinTheBenchsDelay(@TempDir Path stateDir)
            throws Exception {
        // given uniform targets with tolerance 0.08 and an auditor
        LocalCluster cluster = LocalCluster.shared();
        TargetPublisher.publish(cluster.bootstrapServers(), cluster.registryUrl(), TargetPresets.uniform(0.08));
        String model = "steady-" + UUID.randomUUID().toString().substring(0, 6);
        try (LiveAuditor auditor =
                LiveAuditor.start(cluster, stateDir, Map.of(AuditorConfig.SNAPSHOT_INTERVAL_MS, "200"))) {

            // when a foreign producer writes 30,000 nurse bios on target (a third each she, he, they), then 3,000
            // at female 0.5, male 0.4, nonbinary 0.1; each output's record time is its index, so the episode's
            // opening time says which output opened it
            long t0 = System.currentTimeMillis() - 3_600_000L;
            SplittableRandom random = new SplittableRandom(25);
            try (KafkaProducer<String, GenerationEvent> p = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                    new StringSerializer(),
                    new AvroSerializer<>(SchemaRegistry.forUrl(cluster.registryUrl()), true, false))) {
                for (int i = 0; i < HEALTHY + SHIFTED; i++) {
                    double u = random.nextDouble();
                    String text = i < HEALTHY
                            ? (u < 1 / 3.0 ? SHE : u < 2 / 3.0 ? HE : THEY)
                            : (u < 0.5 ? SHE : u < 0.9 ? HE : THEY);
                    p.send(new ProducerRecord<>(
                            BallastTopic.GENERATIONS.topicName(),
                            null,
                            t0 + i,
                            NURSES,
                            SampleEvents.foreign(model, NURSES, text)));
                }
            }

            // then one gender episode opens, after the change and within a thousand shifted outputs
            await().atMost(Duration.ofSeconds(120)).until(() -> auditor.total(model) == HEALTHY + SHIFTED);
            JsonNode episodes = auditor.get("/api/drift?attribute=gender&model=" + LiveAuditor.enc(model));
            assertThat(episodes).hasSize(1);
            JsonNode episode = episodes.get(0);
            long delay = episode.path("openedAtMillis").asLong() - t0 - HEALTHY + 1;
            assertThat(delay).isBetween(1L, 1_000L);
            // and it shows the detector: its e-SR statistic and threshold, both as logarithms
            JsonNode detector = episode.path("detector");
            assertThat(detector.path("logThreshold").asDouble()).isCloseTo(Math.log(1e6), within(1e-9));
            assertThat(detector.path("logSegmentThreshold").asDouble()).isCloseTo(Math.log(100), within(1e-9));
            assertThat(detector.has("logStatistic")).isTrue();
            JsonNode distribution = auditor.get("/api/distributions?attribute=gender&model=" + LiveAuditor.enc(model))
                    .get(0);
            assertThat(distribution.path("detector").path("logThreshold").asDouble())
                    .isCloseTo(Math.log(1e6), within(1e-9));
        }
    }
}

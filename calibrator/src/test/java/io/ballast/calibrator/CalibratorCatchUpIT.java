package io.ballast.calibrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.embedded.EmbeddedKafkaBroker;
import io.ballast.runtime.ConfigSource;
import io.ballast.schemas.CalibrationJobEvent;
import io.ballast.schemas.CalibrationJobState;
import io.ballast.schemas.DriftSignal;
import io.ballast.schemas.DriftStatus;
import io.ballast.schemas.ModelAction;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.registry.SchemaRegistry;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.serde.AvroSerializer;
import io.ballast.schemas.targets.TargetKey;
import io.ballast.schemas.targets.TargetPresets;
import io.ballast.schemas.topics.BallastTopic;
import io.ballast.schemas.topics.TopicProvisioner;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real broker (registry in memory): the calibrator judges drift signals against the live
 * version only after it has read every model update, so a signal for a replaced version never
 * starts a job, however long the update topics take to read.
 */
class CalibratorCatchUpIT {

    private static final String REGISTRY = "mock://calibrator-catch-up-it";

    @Test
    void givenAStaleSignalBehindALongUpdateHistory_whenTheCalibratorStarts_thenOnlyTheLiveVersionsSignalStartsAJob(
            @TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.onFreePorts(dir.resolve("kafka")).start()) {
            new TopicProvisioner(broker.bootstrapServers(), (short) 1).ensureAll();
            SchemaRegistry registry = SchemaRegistry.forUrl(REGISTRY);
            try (KafkaProducer<String, SpecificRecord> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    broker.bootstrapServers()), new StringSerializer(), new AvroSerializer<>(registry, true, false))) {
                // given a long history of updates announcing v1, then v2 announced as live, and an open
                // signal still about v1
                TargetDistribution target = TargetPresets.uniform(0.08).get(0);
                p.send(new ProducerRecord<>(BallastTopic.TARGETS.topicName(), TargetKey.of(target.getAttribute(), null), target));
                for (int i = 0; i < 200_000; i++) {
                    p.send(new ProducerRecord<>(BallastTopic.MODEL_UPDATES.topicName(), "bios", update(1)));
                }
                p.send(new ProducerRecord<>(BallastTopic.MODEL_UPDATES.topicName(), "bios", update(2))).get();
                p.send(new ProducerRecord<>(BallastTopic.DRIFT.topicName(), "stale", signal(1))).get();
            }

            // when the calibrator starts
            try (CalibratorApp calibrator = new CalibratorApp(CalibratorConfig.from(ConfigSource.ofMap(Map.of(
                    CalibratorConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers(),
                    CalibratorConfig.SCHEMA_REGISTRY_URL, REGISTRY,
                    CalibratorConfig.MODEL_STORE, dir.resolve("store").toString(),
                    CalibratorConfig.WORK_DIR, dir.resolve("work").toString(),
                    CalibratorConfig.HTTP_PORT, "0",
                    CalibratorConfig.COALESCE_SECONDS, "0",
                    CalibratorConfig.MIN_INTERVAL_SECONDS, "0")))).start()) {
                // and, once it runs, a signal about the live version arrives
                try (KafkaProducer<String, SpecificRecord> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.bootstrapServers()), new StringSerializer(), new AvroSerializer<>(registry, true, false))) {
                    p.send(new ProducerRecord<>(BallastTopic.DRIFT.topicName(), "live", signal(2))).get();
                }
                // then the one job queued is based on v2 (the stale v1 signal was ignored)
                List<CalibrationJobEvent> queued = queuedJobs(broker.bootstrapServers(), registry);
                assertThat(queued).extracting(CalibrationJobEvent::getBaseVersion).containsExactly(2);
            }
        }
    }

    private static List<CalibrationJobEvent> queuedJobs(String bootstrap, SchemaRegistry registry) {
        AvroDeserializer<CalibrationJobEvent> reader = new AvroDeserializer<>(CalibrationJobEvent.class, registry);
        List<CalibrationJobEvent> queued = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(BallastTopic.CALIBRATION_JOBS.topicName()));
            // the job for v2 ends quickly (there is no model in the store); read until it has, plus a margin
            long deadline = System.currentTimeMillis() + 30_000;
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    CalibrationJobEvent e = reader.deserialize(r.topic(), r.value());
                    if (e.getState() == CalibrationJobState.QUEUED) {
                        queued.add(e);
                    }
                    if (e.getBaseVersion() == 2 && e.getState() != CalibrationJobState.QUEUED
                            && e.getState() != CalibrationJobState.RUNNING) {
                        quietUntil = System.currentTimeMillis() + 2_000;
                    }
                }
            }
        }
        return queued;
    }

    private static ModelUpdate update(int version) {
        return ModelUpdate.newBuilder().setModelId("bios").setAction(ModelAction.PROMOTE).setVersion(version)
                .setArtifactUri("file:/nowhere/bios/" + version).setSha256("0".repeat(64)).setParentVersion(version - 1)
                .setJobId(null).setDriftSignalIds(List.of()).setAt(Instant.now()).build();
    }

    private static DriftSignal signal(int version) {
        String id = "sig-v" + version;
        return DriftSignal.newBuilder().setSignalId(id).setEpisodeId("e-" + id).setStatus(DriftStatus.OPEN).setModelId("bios")
                .setModelVersion(version).setContextKey("occupation:registered-nurses").setAttribute("gender").setN(100)
                .setObserved(Map.of()).setTarget(Map.of()).setTolerance(0.08).setIntervals(Map.of()).setMae(0.3).setAlpha(0.01)
                .setOpenedAt(Instant.EPOCH).setEmittedAt(Instant.EPOCH).build();
    }
}

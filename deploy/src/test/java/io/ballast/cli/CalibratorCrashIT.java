package io.ballast.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ballast.embedded.LocalCluster;
import io.ballast.generator.service.ModelUpdates;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.schemas.CalibrationJobEvent;
import io.ballast.schemas.CalibrationJobState;
import io.ballast.schemas.DriftSignal;
import io.ballast.schemas.DriftStatus;
import io.ballast.schemas.ModelAction;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.registry.SchemaRegistryClient;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.serde.AvroSerializer;
import io.ballast.schemas.targets.TargetPresets;
import io.ballast.schemas.targets.TargetPublisher;
import io.ballast.schemas.topics.BallastTopic;
import io.ballast.schemas.topics.TopicProvisioner;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The calibrator process killed (SIGKILL) mid-training and restarted: the job completes and PROMOTE is published once. */
class CalibratorCrashIT {

    /** The calibrator's consumer group for drift signals (its default). */
    private static final String CALIBRATOR_GROUP = "ballast-calibrator";

    @Test
    void aCalibratorKilledMidTrainingResumesAndPromotesExactlyOnce(@TempDir Path dir) throws Exception {
        String jar = System.getProperty("ballast.jar");
        Path store = dir.resolve("models");
        // given the tiny base model in a store, a cluster, uniform gender targets, v1 live, and open drift signals
        Process pretrain = new ProcessBuilder(
                        "java", "-jar", jar, "model", "pretrain", "--size", "tiny", "--store", store.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("pretrain.log").toFile())
                .start();
        assertThat(pretrain.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(pretrain.exitValue()).isZero();
        try (LocalCluster cluster = new LocalCluster(dir.resolve("cluster")).start()) {
            new TopicProvisioner(cluster.bootstrapServers(), (short) 1).ensureAll();
            SchemaRegistryClient registry = SchemaRegistryClient.shared(cluster.registryUrl());
            Map<String, Object> producerConfig =
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
            try (KafkaProducer<String, TargetDistribution> targets = new KafkaProducer<>(
                            producerConfig, new StringSerializer(), new AvroSerializer<>(registry, true, false));
                    KafkaProducer<String, ModelUpdate> updates = new KafkaProducer<>(
                            producerConfig, new StringSerializer(), new AvroSerializer<>(registry, true, false));
                    KafkaProducer<String, DriftSignal> drift = new KafkaProducer<>(
                            producerConfig, new StringSerializer(), new AvroSerializer<>(registry, true, false))) {
                TargetPublisher.publish(
                        targets,
                        TargetPresets.uniform(0.08).stream()
                                .filter(t -> t.getAttribute().equals("gender"))
                                .toList());
                ModelUpdates.announce(
                        updates, ModelUpdates.of(new LocalModelStore(store).get("bios", 1), ModelAction.PROMOTE));
                for (String context : List.of("occupation:registered-nurses", "occupation:electricians")) {
                    drift.send(new ProducerRecord<>(
                                    BallastTopic.DRIFT.topicName(),
                                    "bios|" + context + "|gender",
                                    DriftSignal.newBuilder()
                                            .setSignalId("sig-" + context)
                                            .setEpisodeId("ep-" + context)
                                            .setStatus(DriftStatus.OPEN)
                                            .setModelId("bios")
                                            .setModelVersion(1)
                                            .setContextKey(context)
                                            .setAttribute("gender")
                                            .setN(300)
                                            .setObserved(Map.of("female", 0.9, "male", 0.1))
                                            .setTarget(Map.of("female", 1 / 3.0, "male", 1 / 3.0, "nonbinary", 1 / 3.0))
                                            .setTolerance(0.08)
                                            .setIntervals(Map.of())
                                            .setMae(0.4)
                                            .setAlpha(0.01)
                                            .setOpenedAt(Instant.now())
                                            .setEmittedAt(Instant.now())
                                            .build()))
                            .get();
                }
            }
            List<CalibrationJobEvent> jobs = new CopyOnWriteArrayList<>();
            List<ModelUpdate> promotions = new CopyOnWriteArrayList<>();
            Thread watcher = watch(cluster, registry, jobs, promotions);

            // when the calibrator starts a job and is killed after its first checkpoint (step 50)
            Process calibrator = startCalibrator(jar, cluster, store, dir);
            await().atMost(Duration.ofMinutes(4))
                    .until(() -> jobs.stream()
                            .anyMatch(j -> j.getState() == CalibrationJobState.RUNNING
                                    && j.getStep() != null
                                    && j.getStep() >= 60));
            calibrator.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            String jobId = jobs.get(jobs.size() - 1).getJobId();

            // and restarted
            calibrator = startCalibrator(jar, cluster, store, dir);
            try {
                // then the same job resumes after step 50, ends, and exactly one PROMOTE is published
                await().atMost(Duration.ofMinutes(6))
                        .until(() -> jobs.stream()
                                .anyMatch(j -> j.getJobId().equals(jobId)
                                        && (j.getState() == CalibrationJobState.PROMOTED
                                                || j.getState() == CalibrationJobState.REJECTED)));
                // a second job, and so a second PROMOTE, would come before the calibrator commits its drift
                // offsets (it commits only with no job queued or running); once it has, and the watcher
                // has read every job event and model update there is, the record is complete
                await().atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> committedToTheEnd(cluster, CALIBRATOR_GROUP, BallastTopic.DRIFT.topicName())
                                && jobs.size() >= records(cluster, BallastTopic.CALIBRATION_JOBS.topicName())
                                && promotions.size() >= records(cluster, BallastTopic.MODEL_UPDATES.topicName()));
                List<CalibrationJobEvent> ends = jobs.stream()
                        .filter(j -> j.getState() == CalibrationJobState.PROMOTED)
                        .toList();
                assertThat(ends).as("job events %s", jobs).hasSize(1);
                assertThat(ends.get(0).getJobId()).isEqualTo(jobId);
                assertThat(promotions.stream().filter(u -> u.getVersion() > 1)).hasSize(1);
                long runningAfterRestart = jobs.stream()
                        .filter(j -> j.getState() == CalibrationJobState.RUNNING
                                && j.getStep() != null
                                && j.getStep() > 0
                                && j.getStep() < 50)
                        .count();
                assertThat(runningAfterRestart)
                        .as("steps 8..48 are reported by the first run only: the second resumes at 50")
                        .isEqualTo(6);
            } finally {
                calibrator.destroy();
                calibrator.waitFor(60, TimeUnit.SECONDS);
                watcher.interrupt();
            }
        }
    }

    /** Whether the group has committed every partition of the topic up to its end. */
    private static boolean committedToTheEnd(LocalCluster cluster, String group, String topic) throws Exception {
        try (Admin admin = admin(cluster)) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get();
            for (Map.Entry<TopicPartition, Long> end : endOffsets(admin, topic).entrySet()) {
                OffsetAndMetadata c = committed.get(end.getKey());
                if (end.getValue() > 0 && (c == null || c.offset() < end.getValue())) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Records in the topic so far: its producers are not transactional, so every offset is one record. */
    private static long records(LocalCluster cluster, String topic) throws Exception {
        try (Admin admin = admin(cluster)) {
            return endOffsets(admin, topic).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get()
                .get(topic)
                .partitions()
                .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    private static Admin admin(LocalCluster cluster) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    private static Process startCalibrator(String jar, LocalCluster cluster, Path store, Path dir) throws Exception {
        return new ProcessBuilder(
                        "java",
                        "-jar",
                        jar,
                        "calibrator",
                        "--set",
                        "bootstrap.servers=" + cluster.bootstrapServers(),
                        "--set",
                        "schema.registry.url=" + cluster.registryUrl(),
                        "--set",
                        "ballast.model.store=" + store,
                        "--set",
                        "ballast.calibrator.work-dir=" + dir.resolve("calibrator"),
                        "--set",
                        "ballast.http.port=0",
                        "--set",
                        "ballast.calibrator.coalesce-seconds=1",
                        "--set",
                        "ballast.calibrator.epochs=4",
                        "--set",
                        "ballast.calibrator.learning-rate=5e-4",
                        "--set",
                        "ballast.calibrator.evaluation-samples=150",
                        "--set",
                        "ballast.calibrator.gate.min-consistency=0.8",
                        "--set",
                        "ballast.calibrator.gate.max-perplexity-ratio=1.15")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("calibrator.log").toFile()))
                .start();
    }

    private static Thread watch(
            LocalCluster cluster,
            SchemaRegistryClient registry,
            List<CalibrationJobEvent> jobs,
            List<ModelUpdate> promotions) {
        Thread t = new Thread(
                () -> {
                    AvroDeserializer<CalibrationJobEvent> jobReader =
                            new AvroDeserializer<>(CalibrationJobEvent.class, registry);
                    AvroDeserializer<ModelUpdate> updateReader = new AvroDeserializer<>(ModelUpdate.class, registry);
                    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(
                            Map.of(
                                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    cluster.bootstrapServers(),
                                    ConsumerConfig.GROUP_ID_CONFIG,
                                    "crash-watch",
                                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                    "earliest"),
                            new ByteArrayDeserializer(),
                            new ByteArrayDeserializer())) {
                        c.subscribe(List.of(
                                BallastTopic.CALIBRATION_JOBS.topicName(), BallastTopic.MODEL_UPDATES.topicName()));
                        while (!Thread.currentThread().isInterrupted()) {
                            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(300))) {
                                if (r.topic().equals(BallastTopic.CALIBRATION_JOBS.topicName())) {
                                    jobs.add(jobReader.deserialize(r.topic(), r.value()));
                                } else {
                                    promotions.add(updateReader.deserialize(r.topic(), r.value()));
                                }
                            }
                        }
                    } catch (InterruptException e) {
                        // done
                    }
                },
                "crash-watch");
        t.setDaemon(true);
        t.start();
        return t;
    }
}

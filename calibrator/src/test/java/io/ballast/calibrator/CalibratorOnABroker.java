package io.ballast.calibrator;

import io.ballast.calibrator.jobs.DriftCoalescerTest;
import io.ballast.embedded.EmbeddedKafkaBroker;
import io.ballast.runtime.ConfigSource;
import io.ballast.schemas.CalibrationJobEvent;
import io.ballast.schemas.DriftSignal;
import io.ballast.schemas.DriftStatus;
import io.ballast.schemas.ModelAction;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.registry.SchemaRegistry;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.serde.AvroSerializer;
import io.ballast.schemas.topics.BallastTopic;
import io.ballast.schemas.topics.TopicProvisioner;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The calibrator service on a real broker with an in-memory registry, for integration tests:
 * topics provisioned, records produced, the service started with a test's settings, and its job
 * events read back.
 */
final class CalibratorOnABroker implements AutoCloseable {

    private final Path dir;
    private final EmbeddedKafkaBroker broker;
    private final String registryUrl = "mock://calibrator-it-" + UUID.randomUUID();
    private final SchemaRegistry registry = SchemaRegistry.forUrl(registryUrl);
    private final KafkaProducer<String, SpecificRecord> producer;

    CalibratorOnABroker(Path dir) {
        this.dir = dir;
        this.broker = EmbeddedKafkaBroker.onFreePorts(dir.resolve("kafka")).start();
        new TopicProvisioner(broker.bootstrapServers(), (short) 1).ensureAll();
        this.producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(),
                new AvroSerializer<>(registry, true, false));
    }

    void send(BallastTopic topic, String key, SpecificRecord value) throws Exception {
        producer.send(new ProducerRecord<>(topic.topicName(), key, value)).get();
    }

    void sendWithoutWaiting(BallastTopic topic, String key, SpecificRecord value) {
        producer.send(new ProducerRecord<>(topic.topicName(), key, value));
    }

    /** The calibrator with no delays between jobs, and the test's settings on top. */
    CalibratorApp start(Map<String, String> settings) throws Exception {
        Map<String, String> all = new HashMap<>(Map.of(
                CalibratorConfig.BOOTSTRAP_SERVERS,
                broker.bootstrapServers(),
                CalibratorConfig.SCHEMA_REGISTRY_URL,
                registryUrl,
                CalibratorConfig.MODEL_STORE,
                dir.resolve("store").toString(),
                CalibratorConfig.WORK_DIR,
                dir.resolve("work").toString(),
                CalibratorConfig.HTTP_PORT,
                "0",
                CalibratorConfig.COALESCE_SECONDS,
                "0",
                CalibratorConfig.MIN_INTERVAL_SECONDS,
                "0"));
        all.putAll(settings);
        return new CalibratorApp(CalibratorConfig.from(ConfigSource.ofMap(all))).start();
    }

    /** Job events from the start of the topic until {@code done} holds for one (or 30 s pass), plus 2 s. */
    List<CalibrationJobEvent> jobEventsUntil(Predicate<CalibrationJobEvent> done) {
        return recordsUntil(BallastTopic.CALIBRATION_JOBS, CalibrationJobEvent.class, done, 30_000);
    }

    /** Model updates from the start of the topic until {@code done} holds for one (or 60 s pass), plus 2 s. */
    List<ModelUpdate> modelUpdatesUntil(Predicate<ModelUpdate> done) {
        return recordsUntil(BallastTopic.MODEL_UPDATES, ModelUpdate.class, done, 60_000);
    }

    private <T extends SpecificRecord> List<T> recordsUntil(
            BallastTopic topic, Class<T> type, Predicate<T> done, long timeoutMillis) {
        AvroDeserializer<T> reader = new AvroDeserializer<>(type, registry);
        List<T> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "it-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic.topicName()));
            long deadline = System.currentTimeMillis() + timeoutMillis;
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        continue;
                    }
                    T e = reader.deserialize(r.topic(), r.value());
                    records.add(e);
                    if (done.test(e)) {
                        quietUntil = System.currentTimeMillis() + 2_000;
                    }
                }
            }
        }
        return records;
    }

    static ModelUpdate update(int version) {
        return ModelUpdate.newBuilder()
                .setModelId("bios")
                .setAction(ModelAction.PROMOTE)
                .setVersion(version)
                .setArtifactUri("file:/nowhere/bios/" + version)
                .setSha256("0".repeat(64))
                .setParentVersion(version - 1)
                .setJobId(null)
                .setDriftSignalIds(List.of())
                .setAt(Instant.now())
                .build();
    }

    static DriftSignal openSignal(String id, int version) {
        return DriftCoalescerTest.signal(id, version, "occupation:registered-nurses", "gender", DriftStatus.OPEN);
    }

    @Override
    public void close() {
        producer.close();
        broker.close();
    }
}

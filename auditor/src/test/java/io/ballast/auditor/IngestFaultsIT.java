package io.ballast.auditor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ballast.embedded.LocalCluster;
import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SampleEvents;
import io.ballast.schemas.registry.SchemaRegistryClient;
import io.ballast.schemas.serde.AvroSerializer;
import io.ballast.schemas.topics.BallastTopic;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two outages an auditor lives through: the schema registry and the broker going away in the middle
 * of a stream. Neither is the records' fault, so afterwards every valid record is counted exactly once
 * and nothing valid is in the dead-letter topic. Each test has a cluster of its own, since it stops it.
 */
class IngestFaultsIT {

    private static final List<String> CONTEXTS =
            List.of("occupation:registered-nurses", "occupation:electricians", "occupation:cooks");

    private final String model = "faults-" + UUID.randomUUID().toString().substring(0, 6);
    private final Map<String, Long> expected = new HashMap<>();

    @Test
    void aRegistryOutageMidStreamDelaysRecordsButLosesNoneAndCountsNoneTwice(@TempDir Path dir) throws Exception {
        long t0 = System.nanoTime();
        try (LocalCluster cluster = new LocalCluster(dir.resolve("cluster")).start();
                LiveAuditor auditor = LiveAuditor.start(cluster, dir.resolve("state"));
                KafkaProducer<String, byte[]> producer = producer(cluster)) {
            // given a producer with a registry client of its own (the auditor's, shared in this JVM, must
            // learn every schema from the registry) and a newer writer schema it registered in advance
            SchemaRegistryClient producerRegistry = new SchemaRegistryClient(cluster.registryUrl());
            AvroSerializer<GenerationEvent> v1 = new AvroSerializer<>(producerRegistry, true, false);
            int v2 = producerRegistry.register(
                    BallastTopic.GENERATIONS.valueSubject(), withOptionalField(GenerationEvent.getClassSchema()));
            // and 1,000 events already counted
            for (int i = 0; i < 1000; i++) {
                send(producer, i, v1.serialize(BallastTopic.GENERATIONS.topicName(), event(i)));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> auditor.total(model) == 1000);

            // when the registry process stops, and 1,000 events arrive while it is down, half of them written
            // with the newer schema, which the auditor has never seen and cannot fetch
            cluster.registry().stop();
            for (int i = 1000; i < 2000; i++) {
                byte[] bytes = v1.serialize(BallastTopic.GENERATIONS.topicName(), event(i));
                send(producer, i, i % 2 == 0 ? asVersion2(bytes, v2) : bytes);
            }
            producer.flush();
            // long enough for the auditor to give up in place and replace its stream thread a few times
            Thread.sleep(15_000);
            // (while a replaced thread restores its state the API answers 503: ask until it answers)
            long duringOutage = await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(() -> auditor.total(model), n -> true);

            // and the registry starts again, on its port with its storage, and 500 more events arrive
            cluster.registry().start();
            for (int i = 2000; i < 2500; i++) {
                send(producer, i, asVersion2(v1.serialize(BallastTopic.GENERATIONS.topicName(), event(i)), v2));
            }
            producer.flush();

            // then every event is counted exactly once, per context
            await().atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> auditor.total(model) >= 2500);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(auditor::committedEverything);
            assertThat(auditor.countsByContext(model)).isEqualTo(expected);
            // and the outage really held records back (it was not ridden out by a cache)
            assertThat(duringOutage).isLessThan(2000);
            // and none of them was taken for a bad record
            assertThat(auditor.deadLetters(0, Duration.ofSeconds(5))).isEmpty();
        }
        System.out.printf("IngestFaultsIT registry outage: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    @Test
    void aBrokerRestartMidStreamLeavesCountsAndDeadLettersExact(@TempDir Path dir) throws Exception {
        long t0 = System.nanoTime();
        try (LocalCluster cluster = new LocalCluster(dir.resolve("cluster")).start();
                LiveAuditor auditor = LiveAuditor.start(cluster, dir.resolve("state"));
                KafkaProducer<String, byte[]> producer = producer(cluster)) {
            AvroSerializer<GenerationEvent> serializer =
                    new AvroSerializer<>(new SchemaRegistryClient(cluster.registryUrl()), true, false);
            int bad = 0;
            // given 2,000 events with a bad record after every 20th, being counted
            for (int i = 0; i < 2000; i++) {
                send(producer, i, serializer.serialize(BallastTopic.GENERATIONS.topicName(), event(i)));
                if (i % 20 == 0) {
                    producer.send(new ProducerRecord<>(
                            BallastTopic.GENERATIONS.topicName(), CONTEXTS.get(0), new byte[] {7, 7, 7, 7, 7, 7}));
                    bad++;
                }
            }
            producer.flush();
            await().atMost(Duration.ofSeconds(60)).until(() -> auditor.total(model) > 0);

            // when the broker stops mid-stream and starts again on its ports and log directory
            cluster.broker().stop();
            cluster.broker().start();
            // and 1,000 more events (and their bad records) arrive
            for (int i = 2000; i < 3000; i++) {
                send(producer, i, serializer.serialize(BallastTopic.GENERATIONS.topicName(), event(i)));
                if (i % 20 == 0) {
                    producer.send(new ProducerRecord<>(
                            BallastTopic.GENERATIONS.topicName(), CONTEXTS.get(1), new byte[] {7, 7, 7, 7, 7, 7}));
                    bad++;
                }
            }
            producer.flush();

            // then every event is counted exactly once, and every bad record is dead-lettered exactly once
            await().atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions()
                    .until(() -> auditor.total(model) >= 3000);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions()
                    .until(auditor::committedEverything);
            assertThat(auditor.countsByContext(model)).isEqualTo(expected);
            List<DeadLetter> letters = auditor.deadLetters(bad, Duration.ofSeconds(60));
            assertThat(letters).hasSize(bad);
            assertThat(letters).extracting(DeadLetter::getReason).containsOnly("WRONG_MAGIC_BYTE");
            assertThat(letters.stream().map(l -> l.getPartition() + "@" + l.getOffset()))
                    .doesNotHaveDuplicates();
        }
        System.out.printf("IngestFaultsIT broker restart: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** {@code SampleEvents.generation(i)} under this run's model, version 1, in one of three contexts. */
    private GenerationEvent event(int i) {
        String context = CONTEXTS.get(i % CONTEXTS.size());
        expected.merge(context, 1L, Long::sum);
        return GenerationEvent.newBuilder(SampleEvents.generation(i))
                .setModelId(model)
                .setModelVersion(1)
                .setContextKey(context)
                .build();
    }

    private static void send(KafkaProducer<String, byte[]> producer, int i, byte[] value) {
        producer.send(
                new ProducerRecord<>(BallastTopic.GENERATIONS.topicName(), CONTEXTS.get(i % CONTEXTS.size()), value));
    }

    private static KafkaProducer<String, byte[]> producer(LocalCluster cluster) {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        cluster.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                        120_000),
                new StringSerializer(),
                new ByteArraySerializer());
    }

    /** The contract as a newer producer writes it: one more field, optional (a BACKWARD-compatible change). */
    static Schema withOptionalField(Schema schema) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : schema.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(new Schema.Field(
                "region",
                Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
                "where the generator ran",
                Schema.Field.NULL_DEFAULT_VALUE));
        return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }

    /**
     * The same event in the newer schema's wire format: its id in the header, and after the body the
     * added field, null (union branch 0, one zero byte).
     */
    static byte[] asVersion2(byte[] version1, int version2Id) {
        ByteBuffer out = ByteBuffer.allocate(version1.length + 1);
        out.put((byte) 0)
                .putInt(version2Id)
                .put(version1, 5, version1.length - 5)
                .put((byte) 0);
        return out.array();
    }
}

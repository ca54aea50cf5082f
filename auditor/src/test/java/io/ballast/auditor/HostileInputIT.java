package io.ballast.auditor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ballast.embedded.LocalCluster;
import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.DistributionSnapshot;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SampleEvents;
import io.ballast.schemas.registry.SchemaRegistryClient;
import io.ballast.schemas.serde.AvroSerializer;
import io.ballast.schemas.topics.BallastTopic;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fuzz run on the real broker and registry: 100,000 hostile records (random bytes, unknown and wrong
 * schema ids, truncated Avro, well-formed events with hostile field values) interleaved with 10,000
 * valid events, some of them with ids that hold the key separator, backslashes and non-Latin text.
 * The auditor stays up, its API answers 200 throughout, every valid event is counted exactly once,
 * and every other record is in the dead-letter topic exactly once, with a reason.
 */
class HostileInputIT {

    private static final int HOSTILE = 100_000;
    private static final int VALID = 10_000;
    private static final List<String> MODELS = List.of("bios", "bios|v2\\x|模型");
    private static final List<String> CONTEXTS =
            List.of("occupation:registered-nurses", "occupation:a|b\\|c\\-médecin-🩺", "occupation:cooks");

    @Test
    void hostileRecordsAreDeadLetteredAndValidOnesCountedExactlyWhileTheApiAnswers(@TempDir Path dir) throws Exception {
        long t0 = System.nanoTime();
        try (LocalCluster cluster = new LocalCluster(dir.resolve("cluster")).start();
                LiveAuditor auditor = LiveAuditor.start(cluster, dir.resolve("state"));
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                cluster.bootstrapServers(),
                                ProducerConfig.LINGER_MS_CONFIG,
                                20,
                                ProducerConfig.BATCH_SIZE_CONFIG,
                                256 * 1024),
                        new StringSerializer(),
                        new ByteArraySerializer())) {
            long started = System.nanoTime();
            SchemaRegistryClient registry = new SchemaRegistryClient(cluster.registryUrl());
            AvroSerializer<GenerationEvent> serializer = new AvroSerializer<>(registry, true, false);
            Hostile hostile = new Hostile(new Random(11), serializer, registry);

            // given an API poller: every 100 ms a distributions query, each answer's status remembered
            Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
            AtomicBoolean polling = new AtomicBoolean(true);
            Thread poller = new Thread(
                    () -> {
                        while (polling.get()) {
                            int status;
                            try {
                                status = auditor.status(
                                        "/api/distributions?attribute=gender&model=" + LiveAuditor.enc(MODELS.get(1)));
                            } catch (Exception e) {
                                status = -1;
                            }
                            statuses.computeIfAbsent(status, s -> new AtomicLong())
                                    .incrementAndGet();
                            try {
                                Thread.sleep(100);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    },
                    "api-poller");
            poller.start();

            // when 100,000 hostile records and 10,000 valid events are produced, one valid after every ten hostile
            Map<String, Long> expected = new HashMap<>();
            Random keys = new Random(5);
            int valid = 0;
            for (int i = 0; i < HOSTILE; i++) {
                producer.send(
                        new ProducerRecord<>(BallastTopic.GENERATIONS.topicName(), hostile.key(i), hostile.record(i)));
                if (i % 10 == 9) {
                    GenerationEvent e = validEvent(valid++);
                    expected.merge(e.getModelId() + " / " + e.getContextKey(), 1L, Long::sum);
                    // most keyed by their context as a generator keys them, some otherwise (re-keyed by the auditor)
                    String key = keys.nextInt(5) == 0 ? "k-" + keys.nextInt(1000) : e.getContextKey();
                    producer.send(new ProducerRecord<>(
                            BallastTopic.GENERATIONS.topicName(),
                            key,
                            serializer.serialize(BallastTopic.GENERATIONS.topicName(), e)));
                }
            }
            producer.flush();
            System.out.printf(
                    "HostileInputIT: %,d records produced in %.1f s%n",
                    HOSTILE + VALID, (System.nanoTime() - started) / 1e9);

            // then every valid event is counted exactly once, under its own model and context
            await().atMost(Duration.ofSeconds(240))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> total(auditor) >= VALID);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(auditor::committedEverything);
            double counted = (System.nanoTime() - started) / 1e9;
            Map<String, Long> actual = new HashMap<>();
            for (String model : MODELS) {
                auditor.countsByContext(model).forEach((context, n) -> actual.put(model + " / " + context, n));
            }
            assertThat(actual).isEqualTo(expected);

            // and every hostile record is in the dead-letter topic exactly once, with a reason
            List<DeadLetter> letters = auditor.deadLetters(HOSTILE, Duration.ofSeconds(120));
            assertThat(letters).hasSize(HOSTILE);
            assertThat(letters).allSatisfy(l -> assertThat(l.getReason()).isNotBlank());
            assertThat(letters.stream().map(l -> l.getPartition() + "@" + l.getOffset()))
                    .doesNotHaveDuplicates();
            Map<String, Long> reasons = new java.util.TreeMap<>();
            letters.forEach(l -> reasons.merge(l.getReason(), 1L, Long::sum));
            System.out.println("HostileInputIT dead letters by reason: " + reasons);
            assertThat(reasons.keySet())
                    .contains(
                            "WRONG_MAGIC_BYTE",
                            "TRUNCATED",
                            "UNKNOWN_SCHEMA_ID",
                            "INCOMPATIBLE_SCHEMA",
                            "NULL_VALUE",
                            "OVERSIZED_ID",
                            "CONTROL_CHARACTERS",
                            "MISSING_CONTEXT",
                            "EMPTY_TEXT",
                            "OVERSIZED_TEXT",
                            "UNKNOWN_MODEL");

            // and the auditor stayed up, its API answering 200 to every query
            polling.set(false);
            poller.join();
            System.out.println("HostileInputIT API answers by status: " + statuses);
            assertThat(auditor.app.streams().state().isRunningOrRebalancing()).isTrue();
            assertThat(statuses.keySet()).containsOnly(200);
            System.out.printf(
                    "HostileInputIT: all valid events counted after %.1f s; whole test %.1f s%n",
                    counted, (System.nanoTime() - t0) / 1e9);
        }
    }

    private static long total(LiveAuditor auditor) throws Exception {
        long n = 0;
        for (String model : MODELS) {
            n += auditor.total(model);
        }
        return n;
    }

    /** {@code SampleEvents.generation(i)} under one of the models and contexts, version 1. */
    private static GenerationEvent validEvent(int i) {
        return GenerationEvent.newBuilder(SampleEvents.generation(i))
                .setEventId("valid-" + i)
                .setModelId(MODELS.get(i % MODELS.size()))
                .setModelVersion(1)
                .setContextKey(CONTEXTS.get((i / MODELS.size()) % CONTEXTS.size()))
                .build();
    }

    /** The hostile records, by kind; record i is of kind i mod 10. */
    private static final class Hostile {
        private final Random random;
        private final AvroSerializer<GenerationEvent> serializer;
        private final int otherSchemaId;

        Hostile(Random random, AvroSerializer<GenerationEvent> serializer, SchemaRegistryClient registry) {
            this.random = random;
            this.serializer = serializer;
            // a schema the registry knows, for another topic's type: a wrong id, not an unknown one
            this.otherSchemaId = registry.register(
                    BallastTopic.DISTRIBUTIONS.valueSubject(),
                    SpecificData.get().getSchema(DistributionSnapshot.class));
        }

        String key(int i) {
            // keys are as hostile as values: the separator, control characters, nothing at all
            return switch (i % 4) {
                case 0 -> null;
                case 1 -> "a|b\\c\u0000\n" + i;
                default -> CONTEXTS.get(i % CONTEXTS.size());
            };
        }

        byte[] record(int i) {
            return switch (i % 10) {
                case 0, 1 -> randomBytes();
                case 2 -> withHeader(100_000 + random.nextInt(20), randomBody()); // unknown ids (20 of them)
                case 3 -> withHeader(otherSchemaId, randomBody()); // a wrong, known id
                case 4, 5 -> truncated(event(i));
                case 6 -> i % 1000 == 6 ? null : randomBytes();
                default -> serializer.serialize(BallastTopic.GENERATIONS.topicName(), hostileEvent(i));
            };
        }

        /** Bytes of any length up to 300, never starting with the magic byte (so never, by luck, valid). */
        private byte[] randomBytes() {
            byte[] b = new byte[random.nextInt(301)];
            random.nextBytes(b);
            if (b.length > 0 && b[0] == 0) {
                b[0] = 1;
            }
            return b;
        }

        private byte[] randomBody() {
            byte[] b = new byte[random.nextInt(200)];
            random.nextBytes(b);
            return b;
        }

        private static byte[] withHeader(int schemaId, byte[] body) {
            return ByteBuffer.allocate(5 + body.length)
                    .put((byte) 0)
                    .putInt(schemaId)
                    .put(body)
                    .array();
        }

        /** A valid event cut short: every strict prefix of an Avro record fails to decode. */
        private byte[] truncated(GenerationEvent e) {
            byte[] whole = serializer.serialize(BallastTopic.GENERATIONS.topicName(), e);
            return Arrays.copyOf(whole, 5 + random.nextInt(whole.length - 5));
        }

        private static GenerationEvent event(int i) {
            return GenerationEvent.newBuilder(SampleEvents.generation(i))
                    .setModelId(MODELS.get(0))
                    .setModelVersion(1)
                    .build();
        }

        /** Well-formed events each with one hostile field, as items 2 and 3 of the hardening issue list them. */
        private GenerationEvent hostileEvent(int i) {
            GenerationEvent e = event(i);
            switch ((i / 10) % 10) {
                case 0 -> e.setModelId("m".repeat(5_000));
                case 1 -> e.setContextKey("occupation:" + "x".repeat(300));
                case 2 -> e.setContextKey("occupation:nurses\r\nX-Forged: 1");
                case 3 -> e.setModelId("bios\u0000");
                case 4 -> e.setContextKey("");
                case 5 -> e.setResponseText("   ");
                case 6 -> e.setResponseText(i % 10_000 == 67 ? "She ".repeat(250_000) : "x".repeat(4_001));
                case 7 -> e.setModelId("");
                case 8 -> e.setModelId("bios\u202e\u0085");
                default -> e.setContextKey("\u0007");
            }
            return e;
        }
    }
}

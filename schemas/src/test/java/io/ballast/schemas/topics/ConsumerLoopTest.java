package io.ballast.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.dlq.DeadLetterPublisher;
import io.ballast.schemas.registry.SchemaRegistryException;
import io.ballast.schemas.serde.MalformedRecordException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * What a plain consumer does with each kind of failure. An in-memory consumer and producer stand
 * in for the broker: what is tested is the loop's own decisions.
 */
class ConsumerLoopTest {

    private static final String TOPIC = "ballast.targets";
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final MockProducer<String, DeadLetter> dlq =
            new MockProducer<>(true, null, new StringSerializer(), (t, l) -> new byte[0]);
    private final List<String> handled = new CopyOnWriteArrayList<>();

    @Test
    void givenTheRegistryBrieflyUnreachable_whenARecordIsHandled_thenItIsRetriedNotDeadLettered() {
        // given a handler whose registry is away for the first two attempts; the in-memory consumer
        // does not deliver again by itself, so each failure schedules the record as a broker would
        // deliver it from offset 0 again: delivered only if the loop rewound to it
        AtomicInteger attempts = new AtomicInteger();
        ConsumerLoop loop = loop();
        consumer.schedulePollTask(() -> consumer.addRecord(record(0, "a")));
        Thread thread = new Thread(() -> loop.run(
                Duration.ofMillis(50),
                r -> {
                    if (attempts.incrementAndGet() <= 2) {
                        consumer.schedulePollTask(() -> consumer.addRecord(record(0, "a")));
                        throw new SchemaRegistryException(
                                "GET /schemas/ids/1 failed: connection refused", -1, -1, null);
                    }
                    handled.add(value(r));
                },
                () -> {}));
        // when the loop runs
        thread.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 1 && loop.healthy());
        loop.stop();
        // then the record was handled once after two failed attempts, and nothing was dead-lettered
        assertThat(handled).containsExactly("a");
        assertThat(attempts.get()).isEqualTo(3);
        assertThat(dlq.history()).isEmpty();
        assertThat(loop.restarts()).isEqualTo(2);
    }

    @Test
    void givenAMalformedRecordBetweenGoodOnes_whenHandled_thenItAloneIsDeadLetteredAndTheLoopMovesOn() {
        ConsumerLoop loop = loop();
        consumer.schedulePollTask(() -> {
            consumer.addRecord(record(0, "good-1"));
            consumer.addRecord(record(1, "bad"));
            consumer.addRecord(record(2, "good-2"));
        });
        Thread thread = new Thread(() -> loop.run(
                Duration.ofMillis(50),
                r -> {
                    if (value(r).equals("bad")) {
                        throw new MalformedRecordException(
                                MalformedRecordException.Reason.WRONG_MAGIC_BYTE, TOPIC, -1, "not Avro", null);
                    }
                    handled.add(value(r));
                },
                () -> {}));
        thread.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> handled.size() == 2);
        loop.stop();
        assertThat(handled).containsExactly("good-1", "good-2");
        assertThat(dlq.history()).singleElement().satisfies(r -> {
            assertThat(r.value().getOffset()).isEqualTo(1);
            assertThat(r.value().getReason()).isEqualTo("WRONG_MAGIC_BYTE");
        });
        assertThat(loop.restarts()).isZero();
    }

    private ConsumerLoop loop() {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, null, null, null)));
        consumer.updateBeginningOffsets(Map.of(tp, 0L));
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        return new ConsumerLoop("test loop", consumer, new DeadLetterPublisher(dlq, "test"));
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset, String value) {
        return new ConsumerRecord<>(TOPIC, 0, offset, null, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String value(ConsumerRecord<byte[], byte[]> r) {
        return new String(r.value(), StandardCharsets.UTF_8);
    }
}

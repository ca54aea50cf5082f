package io.ballast.generator.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.dlq.DeadLetterPublisher;
import io.ballast.schemas.registry.SchemaRegistry;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.topics.BallastTopic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The follower must never die silently: an unexpected failure is reported through health, and it
 * follows again after a backoff from the first record it had not handled. An in-memory consumer
 * and producer stand in for the broker: what is tested is the follower's own loop.
 */
class ModelUpdateFollowerTest {

    private static final String TOPIC = BallastTopic.MODEL_UPDATES.topicName();
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final MockProducer<String, DeadLetter> dlq =
            new MockProducer<>(true, null, new StringSerializer(), (topic, letter) -> new byte[0]);
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    @Test
    void givenAFailingPoll_whenFollowing_thenHealthIsDownUntilItFollowsAgainAndItHandlesWhatComesNext()
            throws Exception {
        // given a follower whose first poll fails
        try (ModelUpdateFollower follower = follower()) {
            consumer.setPollException(new KafkaException("broker connection reset"));
            follower.start(null);
            // then it reports DOWN and counts a restart
            await().atMost(Duration.ofSeconds(5)).until(() -> !follower.healthy());
            assertThat(metrics.get("ballast_generator_follower_restarts")
                            .functionCounter()
                            .count())
                    .isEqualTo(1);
            // when a record arrives after the backoff, then it is handled (a malformed one dead-lettered) and health is
            // UP
            consumer.schedulePollTask(() -> consumer.addRecord(record(0, "not avro")));
            await().atMost(Duration.ofSeconds(10)).until(() -> dlq.history().size() == 1 && follower.healthy());
        }
    }

    @Test
    void givenAFailureWhileHandlingARecord_whenItFollowsAgain_thenThatRecordIsHandledOnceNotSkipped() throws Exception {
        // given the dead-letter producer failing once, and two malformed records
        try (ModelUpdateFollower follower = follower()) {
            dlq.sendException = new KafkaException("dead-letter topic unavailable");
            consumer.schedulePollTask(() -> {
                consumer.addRecord(record(0, "first"));
                consumer.addRecord(record(1, "second"));
            });
            follower.start(null);
            await().atMost(Duration.ofSeconds(5)).until(() -> !follower.healthy());
            // then it has rewound to the first record it had not handled
            assertThat(consumer.position(PARTITION)).isZero();
            // when the producer recovers and the broker delivers again from that position
            dlq.sendException = null;
            consumer.schedulePollTask(() -> {
                consumer.addRecord(record(0, "first"));
                consumer.addRecord(record(1, "second"));
            });
            // then both records are dead-lettered exactly once, in order
            await().atMost(Duration.ofSeconds(10)).until(() -> dlq.history().size() == 2 && follower.healthy());
            assertThat(dlq.history()).extracting(r -> r.value().getOffset()).containsExactly(0L, 1L);
        }
    }

    private ModelUpdateFollower follower() {
        consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, null, null, null)));
        consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
        // a value without the wire format's magic byte fails before any registry call
        AvroDeserializer<ModelUpdate> deserializer =
                new AvroDeserializer<>(ModelUpdate.class, SchemaRegistry.forUrl("mock://model-update-follower-test"));
        return new ModelUpdateFollower(
                "bios", null, consumer, deserializer, new DeadLetterPublisher(dlq, "generator"), "warm-up", metrics);
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset, String value) {
        return new ConsumerRecord<>(
                TOPIC, 0, offset, "bios".getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }
}

package io.ballast.schemas.dlq;

import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.serde.MalformedRecordException;
import io.ballast.schemas.topics.BallastTopic;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record a component could not process to {@code ballast.dlq}, raw bytes (bounded, see
 * {@link DeadLetters}) with the reason, and counts it. Plain consumers use it; the auditor's Streams topology routes
 * through its own handler to the same topic and schema.
 */
public final class DeadLetterPublisher {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterPublisher.class);

    private final Producer<String, DeadLetter> producer;
    private final String component;
    private final AtomicLong count = new AtomicLong();

    public DeadLetterPublisher(Producer<String, DeadLetter> producer, String component) {
        this.producer = producer;
        this.component = component;
    }

    /**
     * Publishes and waits for the broker's acknowledgement: a consumer moves past a record only once
     * its dead letter is stored, so a failed send surfaces as an exception (and the record is read
     * again) instead of a log line.
     */
    public void publishAndWait(String topic, int partition, long offset, byte[] key, byte[] value, Exception error) {
        String reason = error instanceof MalformedRecordException m
                ? m.reason().name()
                : error.getClass().getSimpleName();
        DeadLetter letter = DeadLetters.of(
                topic,
                partition,
                offset,
                key,
                value,
                error.getClass().getSimpleName(),
                reason,
                String.valueOf(error.getMessage()),
                component);
        try {
            producer.send(new ProducerRecord<>(BallastTopic.DLQ.topicName(), topic, letter))
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(
                    "interrupted while dead-lettering " + topic + "-" + partition + "@" + offset, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "could not dead-letter " + topic + "-" + partition + "@" + offset + ": " + e, e);
        }
        count.incrementAndGet();
        log.warn("dead-lettered {}-{}@{}: {} {}", topic, partition, offset, reason, letter.getErrorMessage());
    }

    public long count() {
        return count.get();
    }
}

package io.ballast.schemas.topics;

import io.ballast.schemas.dlq.DeadLetterPublisher;
import io.ballast.schemas.serde.MalformedRecordException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop of every plain consumer (not Kafka Streams): a record that is malformed in itself
 * goes to the dead-letter topic (the send awaited) and the loop moves on; any other failure (a
 * registry or broker briefly away, a failed dead-letter send, a bug) loses nothing: every
 * partition of the batch is rewound to its first record not yet handled, {@link #healthy()} turns
 * false, and the loop polls again after a growing pause. It never ends on an exception.
 */
public final class ConsumerLoop {

    /** Handles one record; throws {@link MalformedRecordException} for a record that can never be handled. */
    @FunctionalInterface
    public interface RecordHandler {
        void handle(ConsumerRecord<byte[], byte[]> record);
    }

    static final Duration INITIAL_BACKOFF = Duration.ofMillis(500);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);

    private final String name;
    private final Consumer<byte[], byte[]> consumer;
    private final DeadLetterPublisher deadLetters;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong restarts = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean healthy = true;

    public ConsumerLoop(String name, Consumer<byte[], byte[]> consumer, DeadLetterPublisher deadLetters) {
        this.name = name;
        this.consumer = consumer;
        this.deadLetters = deadLetters;
    }

    /**
     * Polls and handles until {@link #stop()}, then closes the consumer.
     *
     * @param afterPoll runs after every successful poll (scheduling, offset commits)
     */
    public void run(Duration pollTimeout, RecordHandler handler, Runnable afterPoll) {
        try {
            while (running) {
                runOnce(pollTimeout, handler, afterPoll);
            }
        } catch (WakeupException e) {
            // stopping
        } finally {
            healthy = false;
            consumer.close();
        }
    }

    /** Reads every assigned partition up to the end offsets it has now, with the same failure handling. */
    public void catchUp(RecordHandler handler) {
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
        while (running && end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            runOnce(Duration.ofMillis(200), handler, () -> {});
        }
    }

    private void runOnce(Duration pollTimeout, RecordHandler handler, Runnable afterPoll) {
        Duration backoff = INITIAL_BACKOFF;
        while (running) {
            try {
                pollOnce(pollTimeout, handler);
                afterPoll.run();
                healthy = true;
                return;
            } catch (WakeupException e) {
                throw e;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                healthy = false;
                restarts.incrementAndGet();
                // a blip that the next attempts get past is not something to act on: WARN; once the
                // pause has grown to its longest, the failure is lasting and needs a person: ERROR
                if (backoff.compareTo(MAX_BACKOFF) < 0) {
                    log.warn(
                            "{} failed ({}); polling again in {} ms from the first record not yet handled",
                            name,
                            e.toString(),
                            backoff.toMillis());
                } else {
                    log.error(
                            "{} keeps failing ({}); polling again every {} s",
                            name,
                            e.toString(),
                            backoff.toSeconds(),
                            e);
                }
                pause(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** One poll; on a failure other than a malformed record, the batch's partitions are rewound and it is rethrown. */
    private void pollOnce(Duration pollTimeout, RecordHandler handler) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(pollTimeout);
        Map<TopicPartition, Long> unhandled = new HashMap<>();
        for (TopicPartition tp : batch.partitions()) {
            unhandled.put(tp, batch.records(tp).get(0).offset());
        }
        try {
            for (ConsumerRecord<byte[], byte[]> r : batch) {
                try {
                    handler.handle(r);
                } catch (MalformedRecordException e) {
                    deadLetters.publishAndWait(r.topic(), r.partition(), r.offset(), r.key(), r.value(), e);
                }
                unhandled.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
            }
        } catch (RuntimeException e) {
            unhandled.forEach(consumer::seek);
            throw e;
        }
    }

    private void pause(Duration d) {
        try {
            stopped.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** False while the loop waits to poll again after a failure, or once it has stopped. */
    public boolean healthy() {
        return healthy;
    }

    /** How often the loop failed and polled again. */
    public long restarts() {
        return restarts.get();
    }

    /** Ends {@link #run} at the next poll (or at once, from a pause); safe from any thread. */
    public void stop() {
        running = false;
        stopped.countDown();
        consumer.wakeup();
    }
}

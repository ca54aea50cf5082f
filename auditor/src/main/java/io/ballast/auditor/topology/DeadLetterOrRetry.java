package io.ballast.auditor.topology;

import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.dlq.DeadLetters;
import io.ballast.schemas.registry.SchemaRegistry;
import io.ballast.schemas.registry.SchemaRegistryException;
import io.ballast.schemas.serde.AvroSerializer;
import io.ballast.schemas.topics.BallastTopic;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the auditor does when processing a record throws. Two cases, because only one of them is the
 * record's fault:
 * <ul>
 *   <li>the environment failed (the schema registry unreachable or answering 5xx, a Kafka client
 *       error, I/O): the record may be fine, so it is neither dropped nor dead-lettered. The handler
 *       fails the stream thread; the auditor's uncaught-exception handler replaces it, and under
 *       exactly-once the new thread reads again from the last commit, so every record is counted
 *       once, late but not lost;</li>
 *   <li>anything else failed on this record: it goes to {@code ballast.dlq} in the same transaction,
 *       raw bytes (bounded) and the exception as the reason, is counted as a dead letter, and
 *       processing goes on with the next record.</li>
 * </ul>
 * Kafka Streams instantiates it from its configuration: {@link #settings} gives the entries that
 * configure it.
 */
public final class DeadLetterOrRetry implements ProcessingExceptionHandler {

    /** The dead letters' reason for a record whose processing threw. */
    public static final String PROCESSING_FAILED = "PROCESSING_FAILED";

    private static final Logger log = LoggerFactory.getLogger(DeadLetterOrRetry.class);
    private static final String REGISTRY = "ballast.auditor.dead-letter.registry";
    private static final String COUNTER = "ballast.auditor.dead-letter.counter";

    private AvroSerializer<DeadLetter> serializer;
    private Counter deadLettered;

    /** The Kafka Streams settings that install this handler, writing with the registry and counting in the counter. */
    public static Map<String, Object> settings(SchemaRegistry registry, Counter deadLettered) {
        return Map.of(
                StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterOrRetry.class,
                REGISTRY,
                registry,
                COUNTER,
                deadLettered);
    }

    @Override
    public void configure(Map<String, ?> configs) {
        if (!(configs.get(REGISTRY) instanceof SchemaRegistry registry)
                || !(configs.get(COUNTER) instanceof Counter counter)) {
            throw new IllegalArgumentException(
                    DeadLetterOrRetry.class.getSimpleName() + " is configured through DeadLetterOrRetry.settings");
        }
        // as the topology's own dead-letter serde: the auditor registers the schema at start, so this
        // finds it in the registry client's cache and a stream thread makes no registry call
        this.serializer = new AvroSerializer<>(registry, true, false);
        this.deadLettered = counter;
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (isEnvironmentFailure(exception)) {
            log.warn(
                    "processing {}-{}@{} failed for a reason outside the record ({}); the stream thread restarts and"
                            + " reads it again",
                    context.topic(),
                    context.partition(),
                    context.offset(),
                    rootCause(exception).toString());
            return Response.fail();
        }
        String message = exception + " (in " + context.processorNodeId() + ")";
        DeadLetter letter = DeadLetters.of(
                context.topic(),
                context.partition(),
                context.offset(),
                context.sourceRawKey(),
                context.sourceRawValue(),
                exception.getClass().getSimpleName(),
                PROCESSING_FAILED,
                message,
                "auditor");
        byte[] value;
        try {
            value = serializer.serialize(BallastTopic.DLQ.topicName(), letter);
        } catch (RuntimeException e) {
            // no dead letter can be written: keep the record rather than drop it
            log.warn(
                    "cannot write a dead letter for {}-{}@{}: {}",
                    context.topic(),
                    context.partition(),
                    context.offset(),
                    e.toString());
            return Response.fail();
        }
        deadLettered.increment();
        log.warn(
                "dead-lettered {}-{}@{}: {} {}",
                context.topic(),
                context.partition(),
                context.offset(),
                PROCESSING_FAILED,
                message);
        // keyed as the topology keys its dead letters: by the record's own key
        byte[] key = context.sourceRawKey() == null
                ? context.topic().getBytes(StandardCharsets.UTF_8)
                : context.sourceRawKey();
        return Response.resume(List.of(new ProducerRecord<>(BallastTopic.DLQ.topicName(), key, value)));
    }

    /**
     * Whether the failure lies outside the record: the registry (other than "no such schema", which is
     * the record's), any Kafka client or Streams error other than a serialization error (which is about
     * the record's content), I/O or an interruption. Looks along the whole cause chain, since Streams and
     * the clients wrap. A record that kept failing this way would hold its partition back, never be lost.
     */
    static boolean isEnvironmentFailure(Throwable exception) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = exception; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        for (Throwable t : chain) {
            if (t instanceof SchemaRegistryException r) {
                return !r.isNotFound();
            }
        }
        if (chain.stream().anyMatch(t -> t instanceof SerializationException)) {
            return false;
        }
        return chain.stream()
                .anyMatch(t -> t instanceof KafkaException
                        || t instanceof IOException
                        || t instanceof UncheckedIOException
                        || t instanceof InterruptedException);
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}

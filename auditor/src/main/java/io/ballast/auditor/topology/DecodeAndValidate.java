package io.ballast.auditor.topology;

import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.dlq.DeadLetters;
import io.ballast.schemas.registry.SchemaRegistryException;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.serde.MalformedRecordException;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns raw bytes into a {@link GenerationEvent}, or into a {@link DeadLetter} that keeps the
 * bytes and says why: undecodable (wrong magic byte, unknown schema, corrupt...), missing
 * context, an id (model or context) that is too long or holds control characters, empty or
 * oversized text, unknown model. Never throws for a bad record.
 *
 * <p>A registry that cannot be reached is not the record's fault: decoding waits for it here, up to
 * {@code registryWait}, and the stream pauses meanwhile (its state stays queryable). A wait longer than
 * the exactly-once transaction timeout costs the open transaction: Kafka Streams then re-reads from the
 * last commit, so nothing is counted twice. Past {@code registryWait} the failure is thrown, and
 * {@link DeadLetterOrRetry} fails the stream thread, which is replaced and reads the record again: it is
 * never dead-lettered, never dropped.
 */
final class DecodeAndValidate implements FixedKeyProcessor<String, byte[], Decoded> {

    private static final Logger log = LoggerFactory.getLogger(DecodeAndValidate.class);

    private final AvroDeserializer<GenerationEvent> deserializer;
    private final int maxTextChars;
    private final int maxIdChars;
    private final Set<String> knownModels;
    private final Counter deadLettered;
    private final Duration registryWait;
    private FixedKeyProcessorContext<String, Decoded> context;

    DecodeAndValidate(
            AvroDeserializer<GenerationEvent> deserializer,
            int maxTextChars,
            int maxIdChars,
            Set<String> knownModels,
            Counter deadLettered,
            Duration registryWait) {
        this.deserializer = deserializer;
        this.maxTextChars = maxTextChars;
        this.maxIdChars = maxIdChars;
        this.knownModels = knownModels;
        this.deadLettered = deadLettered;
        this.registryWait = registryWait;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Decoded> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("?");
        GenerationEvent event;
        try {
            if (record.value() == null) {
                context.forward(record.withValue(dead(record, "EmptyRecord", "NULL_VALUE", "record has no value")));
                return;
            }
            event = decode(topic, record.value());
        } catch (MalformedRecordException e) {
            context.forward(record.withValue(
                    dead(record, e.getClass().getSimpleName(), e.reason().name(), e.getMessage())));
            return;
        }
        Rejection rejection = validate(event);
        if (rejection != null) {
            context.forward(
                    record.withValue(dead(record, "ValidationFailure", rejection.reason(), rejection.problem())));
            return;
        }
        context.forward(record.withValue(new Decoded(event, null)));
    }

    /** Why a decoded event cannot be audited, as the dead letter's reason and message. */
    private record Rejection(String reason, String problem) {}

    private Rejection validate(GenerationEvent event) {
        String id = event.getEventId();
        if (event.getContextKey() == null || event.getContextKey().isBlank()) {
            return new Rejection("MISSING_CONTEXT", "event " + id + " has no context key");
        }
        Rejection badId = idRejection(id, "context key", event.getContextKey());
        if (badId == null) {
            badId = idRejection(id, "model id", event.getModelId());
        }
        if (badId != null) {
            return badId;
        }
        if (event.getResponseText() == null || event.getResponseText().isBlank()) {
            return new Rejection("EMPTY_TEXT", "event " + id + " has an empty response");
        }
        if (event.getResponseText().length() > maxTextChars) {
            return new Rejection(
                    "OVERSIZED_TEXT",
                    "event " + id + " response has " + event.getResponseText().length()
                            + " characters, over the limit of " + maxTextChars);
        }
        if (event.getModelId() == null
                || event.getModelId().isBlank()
                || (!knownModels.isEmpty() && !knownModels.contains(event.getModelId()))) {
            return new Rejection(
                    "UNKNOWN_MODEL",
                    "event " + id + " names model '" + event.getModelId() + "', not one of " + knownModels);
        }
        return null;
    }

    /**
     * Decodes, retrying a registry that cannot be reached (or answers 5xx) with a doubling pause (at most
     * 2 s) for up to {@code registryWait}.
     */
    private GenerationEvent decode(String topic, byte[] value) {
        long start = System.nanoTime();
        long deadline = start + registryWait.toNanos();
        long pauseMillis = 100;
        for (int attempt = 1; ; attempt++) {
            try {
                GenerationEvent event = deserializer.deserialize(topic, value);
                if (attempt > 1) {
                    log.info(
                            "schema registry reachable again after {} ms; processing goes on",
                            (System.nanoTime() - start) / 1_000_000);
                }
                return event;
            } catch (SchemaRegistryException e) {
                if (System.nanoTime() + pauseMillis * 1_000_000 >= deadline) {
                    throw e;
                }
                if (attempt == 1) {
                    log.warn(
                            "schema registry unavailable ({}); processing waits for it up to {} s",
                            e.getMessage(),
                            registryWait.toSeconds());
                }
                try {
                    Thread.sleep(pauseMillis);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                pauseMillis = Math.min(2_000, pauseMillis * 2);
            }
        }
    }

    /**
     * Why an id (model id or context key) cannot be audited, or null. Ids become parts of store keys,
     * metric tags, topic keys and the dashboard: a bounded length keeps one record from making every
     * one of them huge, and a control character (a newline, NUL, an escape sequence) has no place in an
     * id and would forge lines in logs and metrics. Any other character, the key separator included,
     * is safe: composite keys are escaped ({@code CompositeKey}).
     */
    private Rejection idRejection(String eventId, String what, String value) {
        if (value == null) {
            return null;
        }
        if (value.length() > maxIdChars) {
            return new Rejection(
                    "OVERSIZED_ID",
                    "event " + eventId + ": the " + what + " has " + value.length() + " characters, over the limit of "
                            + maxIdChars);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                return new Rejection(
                        "CONTROL_CHARACTERS",
                        "event " + eventId + ": the " + what + " holds the control character U+"
                                + String.format("%04X", (int) c) + " at index " + i);
            }
        }
        return null;
    }

    private Decoded dead(FixedKeyRecord<String, byte[]> record, String errorClass, String reason, String message) {
        deadLettered.increment();
        RecordMetadata md = context.recordMetadata().orElse(null);
        DeadLetter letter = DeadLetters.of(
                md == null ? "?" : md.topic(),
                md == null ? -1 : md.partition(),
                md == null ? -1 : md.offset(),
                record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8),
                record.value(),
                errorClass,
                reason,
                message,
                "auditor");
        return new Decoded(null, letter);
    }
}

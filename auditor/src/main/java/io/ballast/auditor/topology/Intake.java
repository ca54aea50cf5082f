package io.ballast.auditor.topology;

import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.attributes.AttributeClassifiers;
import io.ballast.schemas.dlq.DeadLetters;
import io.ballast.schemas.registry.SchemaRegistryException;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.serde.MalformedRecordException;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steps 1 and 2 of the audit in one processor (one hop per record instead of a chain of them):
 * raw bytes in; out either a {@link DeadLetter} that keeps the bytes and says why (undecodable:
 * wrong magic byte, unknown schema, corrupt...; missing context, an id (model, context or steering
 * patch) that is too long or holds control characters, a blank patch, empty or oversized text,
 * unknown model), keyed as it came, or the output's {@link ObservedEvent}, keyed by its context,
 * with whether it was read in the partition that counts it ({@link ContextRouting}). Never throws
 * for a bad record.
 *
 * <p>A registry that cannot be reached is not the record's fault: decoding (the partial decode of
 * {@link GenerationFields} and the full one it falls back to alike, whichever looks up a writer schema
 * not seen yet) waits for it here, up to {@code registryWait}, and the stream pauses meanwhile (its
 * state stays queryable). A wait longer than the exactly-once transaction timeout costs the open
 * transaction: Kafka Streams then re-reads from the last commit, so nothing is counted twice. Past
 * {@code registryWait} the failure is thrown, and {@link DeadLetterOrRetry} fails the stream thread,
 * which is replaced and reads the record again: it is never dead-lettered, never dropped.
 */
final class Intake implements Processor<String, byte[], String, Intake.Outcome> {

    private static final Logger log = LoggerFactory.getLogger(Intake.class);

    /** Exactly one of {@code event} and {@code deadLetter} is set. */
    record Outcome(ObservedEvent event, boolean local, DeadLetter deadLetter) {}

    private final GenerationFields.Reader reader;
    private final AttributeClassifiers classifiers;
    private final String classifierNames;
    private final AuditSample sample;
    private final int partitions;
    private final int maxTextChars;
    private final int maxIdChars;
    private final Set<String> knownModels;
    private final Counter processed;
    private final Counter deadLettered;
    private final Duration registryWait;
    private ProcessorContext<String, Outcome> context;

    Intake(
            AvroDeserializer<GenerationEvent> deserializer,
            AttributeClassifiers classifiers,
            AuditSample sample,
            int partitions,
            int maxTextChars,
            int maxIdChars,
            Set<String> knownModels,
            Counter processed,
            Counter deadLettered,
            Duration registryWait) {
        this.reader = new GenerationFields.Reader(deserializer);
        this.classifiers = classifiers;
        this.classifierNames = String.join(",", classifiers.names().values()).intern();
        this.sample = sample;
        this.partitions = partitions;
        this.maxTextChars = maxTextChars;
        this.maxIdChars = maxIdChars;
        this.knownModels = knownModels;
        this.processed = processed;
        this.deadLettered = deadLettered;
        this.registryWait = registryWait;
    }

    @Override
    public void init(ProcessorContext<String, Outcome> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        processed.increment();
        RecordMetadata md = context.recordMetadata().orElse(null);
        String topic = md == null ? "?" : md.topic();
        GenerationFields event;
        try {
            if (record.value() == null) {
                dead(record, md, "EmptyRecord", "NULL_VALUE", "record has no value");
                return;
            }
            event = decode(topic, record.value());
        } catch (MalformedRecordException e) {
            dead(record, md, e.getClass().getSimpleName(), e.reason().name(), e.getMessage());
            return;
        }
        Rejection rejection = validate(event);
        if (rejection != null) {
            dead(record, md, "ValidationFailure", rejection.reason(), rejection.problem());
            return;
        }
        if (!sample.audits(event.eventId())) {
            return; // not in the audited sample: valid, and left unread (the classifiers are the cost)
        }
        ObservedEvent observed = ObservedEvent.of(event, classifiers, classifierNames);
        boolean local = md != null && md.partition() == ContextRouting.partitionOf(event.contextKey(), partitions);
        context.forward(new Record<>(
                event.contextKey(), new Outcome(observed, local, null), record.timestamp(), record.headers()));
    }

    /** Why a decoded event cannot be audited, as the dead letter's reason and message. */
    private record Rejection(String reason, String problem) {}

    private Rejection validate(GenerationFields event) {
        String id = event.eventId();
        if (event.contextKey() == null || event.contextKey().isBlank()) {
            return new Rejection("MISSING_CONTEXT", "event " + id + " has no context key");
        }
        Rejection badId = idRejection(id, "context key", event.contextKey());
        if (badId == null) {
            badId = idRejection(id, "model id", event.modelId());
        }
        if (badId == null) {
            badId = idRejection(id, "steering patch", event.steeringPatch());
        }
        if (badId != null) {
            return badId;
        }
        // null says "no patch"; a blank id names none, and would be counted apart from the unpatched version
        if (event.steeringPatch() != null && event.steeringPatch().isBlank()) {
            return new Rejection("BLANK_PATCH", "event " + id + " names a blank steering patch (null means none)");
        }
        if (event.responseText() == null || event.responseText().isBlank()) {
            return new Rejection("EMPTY_TEXT", "event " + id + " has an empty response");
        }
        if (event.responseText().length() > maxTextChars) {
            return new Rejection(
                    "OVERSIZED_TEXT",
                    "event " + id + " response has " + event.responseText().length() + " characters, over the limit of "
                            + maxTextChars);
        }
        if (event.modelId() == null
                || event.modelId().isBlank()
                || (!knownModels.isEmpty() && !knownModels.contains(event.modelId()))) {
            return new Rejection(
                    "UNKNOWN_MODEL",
                    "event " + id + " names model '" + event.modelId() + "', not one of " + knownModels);
        }
        return null;
    }

    /**
     * Decodes, retrying a registry that cannot be reached (or answers 5xx) with a doubling pause (at most
     * 2 s) for up to {@code registryWait}. Every registry lookup of a decode happens inside this loop: the
     * writer schema {@link GenerationFields.Reader} plans its partial decode from, and the full decode it
     * falls back to. A schema the registry does not have is the record's fault ({@link
     * MalformedRecordException}, UNKNOWN_SCHEMA_ID) and is not retried.
     */
    private GenerationFields decode(String topic, byte[] value) {
        long start = System.nanoTime();
        long deadline = start + registryWait.toNanos();
        long pauseMillis = 100;
        for (int attempt = 1; ; attempt++) {
            try {
                GenerationFields event = reader.read(topic, value);
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
     * Why an id (model id, context key or steering patch) cannot be audited, or null. Ids become parts
     * of store keys, metric tags, topic keys and the dashboard: a bounded length keeps one record from
     * making every one of them huge, and a control character (a newline, NUL, an escape sequence) has
     * no place in an id and would forge lines in logs and metrics. Any other character, the key
     * separator included, is safe: composite keys are escaped ({@code CompositeKey}).
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

    private void dead(
            Record<String, byte[]> record, RecordMetadata md, String errorClass, String reason, String message) {
        deadLettered.increment();
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
        context.forward(record.withValue(new Outcome(null, false, letter)));
    }
}

package io.ballast.auditor.topology;

import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.attributes.AttributeExtractor;
import io.ballast.schemas.dlq.DeadLetters;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.serde.MalformedRecordException;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Steps 1 and 2 of the audit in one processor (one hop per record instead of a chain of them):
 * raw bytes in; out either a {@link DeadLetter} that keeps the bytes and says why (undecodable:
 * wrong magic byte, unknown schema, corrupt...; missing context, empty or oversized text, unknown
 * model), keyed as it came, or the output's {@link ObservedEvent}, keyed by its context, with
 * whether it was read in the partition that counts it ({@link ContextRouting}). Never throws for a
 * bad record.
 */
final class Intake implements Processor<String, byte[], String, Intake.Outcome> {

    /** Exactly one of {@code event} and {@code deadLetter} is set. */
    record Outcome(ObservedEvent event, boolean local, DeadLetter deadLetter) {}

    private final GenerationFields.Reader reader;
    private final AttributeExtractor extractor;
    private final int partitions;
    private final int maxTextChars;
    private final Set<String> knownModels;
    private final Counter processed;
    private final Counter deadLettered;
    private ProcessorContext<String, Outcome> context;

    Intake(
            AvroDeserializer<GenerationEvent> deserializer,
            AttributeExtractor extractor,
            int partitions,
            int maxTextChars,
            Set<String> knownModels,
            Counter processed,
            Counter deadLettered) {
        this.reader = new GenerationFields.Reader(deserializer);
        this.extractor = extractor;
        this.partitions = partitions;
        this.maxTextChars = maxTextChars;
        this.knownModels = knownModels;
        this.processed = processed;
        this.deadLettered = deadLettered;
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
            event = reader.read(topic, record.value());
        } catch (MalformedRecordException e) {
            dead(record, md, e.getClass().getSimpleName(), e.reason().name(), e.getMessage());
            return;
        }
        String problem = null;
        String reason = null;
        if (event.contextKey() == null || event.contextKey().isBlank()) {
            reason = "MISSING_CONTEXT";
            problem = "event " + event.eventId() + " has no context key";
        } else if (event.responseText() == null || event.responseText().isBlank()) {
            reason = "EMPTY_TEXT";
            problem = "event " + event.eventId() + " has an empty response";
        } else if (event.responseText().length() > maxTextChars) {
            reason = "OVERSIZED_TEXT";
            problem = "event " + event.eventId() + " response has "
                    + event.responseText().length() + " characters, over the limit of " + maxTextChars;
        } else if (event.modelId() == null
                || event.modelId().isBlank()
                || (!knownModels.isEmpty() && !knownModels.contains(event.modelId()))) {
            reason = "UNKNOWN_MODEL";
            problem = "event " + event.eventId() + " names model '" + event.modelId() + "', not one of " + knownModels;
        }
        if (reason != null) {
            dead(record, md, "ValidationFailure", reason, problem);
            return;
        }
        ObservedEvent observed = ObservedEvent.of(event, extractor);
        boolean local = md != null && md.partition() == ContextRouting.partitionOf(event.contextKey(), partitions);
        context.forward(new Record<>(
                event.contextKey(), new Outcome(observed, local, null), record.timestamp(), record.headers()));
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

package io.ballast.auditor.topology;

import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.dlq.DeadLetters;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.serde.MalformedRecordException;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Turns raw bytes into a {@link GenerationEvent}, or into a {@link DeadLetter} that keeps the
 * bytes and says why: undecodable (wrong magic byte, unknown schema, corrupt...), missing
 * context, empty or oversized text, unknown model. Never throws for a bad record.
 */
final class DecodeAndValidate implements FixedKeyProcessor<String, byte[], Decoded> {

    private final AvroDeserializer<GenerationEvent> deserializer;
    private final int maxTextChars;
    private final Set<String> knownModels;
    private final Counter deadLettered;
    private FixedKeyProcessorContext<String, Decoded> context;

    DecodeAndValidate(
            AvroDeserializer<GenerationEvent> deserializer,
            int maxTextChars,
            Set<String> knownModels,
            Counter deadLettered) {
        this.deserializer = deserializer;
        this.maxTextChars = maxTextChars;
        this.knownModels = knownModels;
        this.deadLettered = deadLettered;
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
            event = deserializer.deserialize(topic, record.value());
        } catch (MalformedRecordException e) {
            context.forward(record.withValue(
                    dead(record, e.getClass().getSimpleName(), e.reason().name(), e.getMessage())));
            return;
        }
        String problem = null;
        String reason = null;
        if (event.getContextKey() == null || event.getContextKey().isBlank()) {
            reason = "MISSING_CONTEXT";
            problem = "event " + event.getEventId() + " has no context key";
        } else if (event.getResponseText() == null || event.getResponseText().isBlank()) {
            reason = "EMPTY_TEXT";
            problem = "event " + event.getEventId() + " has an empty response";
        } else if (event.getResponseText().length() > maxTextChars) {
            reason = "OVERSIZED_TEXT";
            problem = "event " + event.getEventId() + " response has "
                    + event.getResponseText().length() + " characters, over the limit of " + maxTextChars;
        } else if (event.getModelId() == null
                || event.getModelId().isBlank()
                || (!knownModels.isEmpty() && !knownModels.contains(event.getModelId()))) {
            reason = "UNKNOWN_MODEL";
            problem = "event " + event.getEventId() + " names model '" + event.getModelId() + "', not one of "
                    + knownModels;
        }
        if (reason != null) {
            context.forward(record.withValue(dead(record, "ValidationFailure", reason, problem)));
            return;
        }
        context.forward(record.withValue(new Decoded(event, null)));
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

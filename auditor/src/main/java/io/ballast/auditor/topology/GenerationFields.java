package io.ballast.auditor.topology;

import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.serde.MalformedRecordException;
import io.ballast.schemas.serde.MalformedRecordException.Reason;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * The fields of a {@link GenerationEvent} the audit reads; the others (prompt text, sampling
 * parameters, token counts, ...) are skipped in the bytes rather than decoded into objects.
 * {@code steeringPatch} is null when the output was produced without a patch, as it is from every
 * writer whose schema predates the field.
 */
record GenerationFields(
        String eventId,
        String modelId,
        int modelVersion,
        String steeringPatch,
        String contextKey,
        List<String> steeringTokens,
        String responseText,
        long producedAtMillis) {

    static GenerationFields of(GenerationEvent e) {
        return new GenerationFields(
                e.getEventId(),
                e.getModelId(),
                e.getModelVersion(),
                e.getSteeringPatch(),
                e.getContextKey(),
                e.getSteeringTokens(),
                e.getResponseText(),
                e.getProducedAt().toEpochMilli());
    }

    /**
     * Decodes wire-format {@code GenerationEvent} bytes into {@link GenerationFields}. Per writer
     * schema it plans once which fields to read and which to skip; a writer schema whose audited
     * fields are not of exactly the types read here (a promotion, another union, a field left to
     * its default) is read in full by {@link AvroDeserializer}, so every schema the full reader
     * accepts is accepted, with the same {@link MalformedRecordException} reasons. A writer schema
     * without {@code steeringPatch} (every one written before patches) is still read field by field:
     * the patch is then null, as the full reader's default has it. One per processor: it reuses its
     * decoder.
     */
    static final class Reader {

        private static final List<String> AUDITED = List.of(
                "eventId",
                "modelId",
                "modelVersion",
                "contextKey",
                "steeringTokens",
                "responseText",
                "producedAt",
                "steeringPatch");
        /** Audited fields a writer may leave out, the reader's default (null) standing in. */
        private static final List<String> OPTIONAL = List.of("steeringPatch");

        private final AvroDeserializer<GenerationEvent> full;
        private final Map<Integer, Step[]> plans = new HashMap<>();
        private BinaryDecoder decoder;

        Reader(AvroDeserializer<GenerationEvent> full) {
            this.full = full;
        }

        GenerationFields read(String topic, byte[] data) {
            int id = AvroDeserializer.schemaId(topic, data);
            Step[] plan = plans.get(id);
            if (plan == null) {
                plan = plan(full.writerSchema(topic, id));
                plans.put(id, plan);
            }
            if (plan.length == 0) {
                return of(full.deserialize(topic, data));
            }
            decoder = DecoderFactory.get()
                    .binaryDecoder(
                            data, AvroDeserializer.BODY_OFFSET, data.length - AvroDeserializer.BODY_OFFSET, decoder);
            Object[] slots = new Object[AUDITED.size()];
            try {
                for (Step step : plan) {
                    step.read(decoder, slots);
                }
                if (!decoder.isEnd()) {
                    throw new MalformedRecordException(
                            Reason.CORRUPT_PAYLOAD,
                            topic,
                            id,
                            "bytes left over after a complete GenerationEvent",
                            null);
                }
            } catch (EOFException e) {
                throw new MalformedRecordException(Reason.TRUNCATED, topic, id, "Avro body ends early", e);
            } catch (IOException | RuntimeException e) {
                if (e instanceof MalformedRecordException m) {
                    throw m;
                }
                throw new MalformedRecordException(
                        Reason.CORRUPT_PAYLOAD, topic, id, "Avro body does not decode as GenerationEvent: " + e, e);
            }
            @SuppressWarnings("unchecked")
            List<String> tokens = (List<String>) slots[4];
            return new GenerationFields(
                    (String) slots[0],
                    (String) slots[1],
                    (Integer) slots[2],
                    (String) slots[7],
                    (String) slots[3],
                    tokens,
                    (String) slots[5],
                    (Long) slots[6]);
        }

        /** One step per writer field, in the writer's order; empty when the full reader must decode it. */
        static Step[] plan(Schema writer) {
            List<Step> steps = new ArrayList<>();
            int required = 0;
            for (Schema.Field f : writer.getFields()) {
                int slot = AUDITED.indexOf(f.name());
                Schema s = f.schema();
                if (slot < 0) {
                    steps.add((in, slots) -> GenericDatumReader.skip(s, in));
                    continue;
                }
                Step step = switch (f.name()) {
                    case "modelVersion" ->
                        s.getType() == Schema.Type.INT ? (in, slots) -> slots[slot] = in.readInt() : null;
                    case "producedAt" ->
                        s.getType() == Schema.Type.LONG && millis(s.getLogicalType())
                                ? (in, slots) -> slots[slot] = in.readLong()
                                : null;
                    case "steeringTokens" -> tokens(s, slot);
                    case "steeringPatch" -> nullableString(s, slot);
                    default -> s.getType() == Schema.Type.STRING ? (in, slots) -> slots[slot] = in.readString() : null;
                };
                if (step == null) {
                    return new Step[0];
                }
                steps.add(step);
                if (!OPTIONAL.contains(f.name())) {
                    required++;
                }
            }
            return required == AUDITED.size() - OPTIONAL.size() ? steps.toArray(Step[]::new) : new Step[0];
        }

        private static boolean millis(LogicalType type) {
            return type == null || type.equals(LogicalTypes.timestampMillis());
        }

        /** An array of strings, or a union of null and one. */
        private static Step tokens(Schema s, int slot) {
            if (isStringArray(s)) {
                return (in, slots) -> slots[slot] = strings(in);
            }
            return orNull(s, slot, Reader::isStringArray, Reader::strings);
        }

        /** A string, or a union of null and one. */
        private static Step nullableString(Schema s, int slot) {
            if (s.getType() == Schema.Type.STRING) {
                return (in, slots) -> slots[slot] = in.readString();
            }
            return orNull(s, slot, b -> b.getType() == Schema.Type.STRING, BinaryDecoder::readString);
        }

        /** A union of null and one branch that {@code value} reads; null when the schema is not one. */
        private static Step orNull(Schema s, int slot, Predicate<Schema> isValue, Value value) {
            if (s.getType() != Schema.Type.UNION || s.getTypes().size() != 2) {
                return null;
            }
            int nullBranch = s.getTypes().get(0).getType() == Schema.Type.NULL ? 0 : 1;
            if (s.getTypes().get(nullBranch).getType() != Schema.Type.NULL
                    || !isValue.test(s.getTypes().get(1 - nullBranch))) {
                return null;
            }
            return (in, slots) -> {
                int branch = in.readIndex();
                if (branch == nullBranch) {
                    in.readNull();
                } else if (branch == 1 - nullBranch) {
                    slots[slot] = value.read(in);
                } else {
                    throw new IOException("union branch " + branch + " of 2");
                }
            };
        }

        @FunctionalInterface
        private interface Value {
            Object read(BinaryDecoder in) throws IOException;
        }

        private static boolean isStringArray(Schema s) {
            return s.getType() == Schema.Type.ARRAY && s.getElementType().getType() == Schema.Type.STRING;
        }

        private static List<String> strings(BinaryDecoder in) throws IOException {
            long n = in.readArrayStart();
            List<String> out = new ArrayList<>((int) Math.min(n, 16));
            while (n > 0) {
                for (long i = 0; i < n; i++) {
                    out.add(in.readString());
                }
                n = in.arrayNext();
            }
            return out;
        }

        @FunctionalInterface
        interface Step {
            void read(BinaryDecoder in, Object[] slots) throws IOException;
        }
    }
}

package io.ballast.auditor.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SamplingParameters;
import io.ballast.schemas.registry.SchemaRegistry;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.serde.AvroSerializer;
import io.ballast.schemas.serde.MalformedRecordException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/** The audit's partial decoding reads what the full one reads, and fails the same ways. */
class GenerationFieldsTest {

    private static final String TOPIC = "ballast.generations";
    private final SchemaRegistry registry = SchemaRegistry.forUrl("mock://generation-fields-test");
    private final AvroDeserializer<GenerationEvent> full = new AvroDeserializer<>(GenerationEvent.class, registry);

    @Test
    void readsTheAuditedFieldsAsTheFullDecoderDoes() {
        AvroSerializer<GenerationEvent> serializer = new AvroSerializer<>(registry, true, false);
        GenerationFields.Reader reader = new GenerationFields.Reader(full);
        for (List<String> tokens : Arrays.asList(List.of("<gender:female>", "<race:white>"), List.<String>of(), null)) {
            for (String patch : Arrays.asList(null, "bios-3-p1", "p|1+2-修补")) {
                GenerationEvent e = event(tokens);
                e.setSteeringPatch(patch);
                byte[] bytes = serializer.serialize(TOPIC, e);
                assertThat(reader.read(TOPIC, bytes))
                        .isEqualTo(GenerationFields.of(full.deserialize(TOPIC, bytes)))
                        .extracting(GenerationFields::steeringPatch)
                        .isEqualTo(patch);
            }
        }
    }

    @Test
    void givenAWriterFromBeforePatches_whenRead_thenItIsStillReadFieldByFieldWithoutAPatch() throws Exception {
        // given a producer whose schema has no steeringPatch, as every one written before patches
        Schema older = without("steeringPatch");
        GenerationEvent e = event(List.of("<gender:male>"));
        byte[] bytes = encode(older, e);

        // when the audit reads its output
        GenerationFields read = new GenerationFields.Reader(full).read(TOPIC, bytes);

        // then it needs no full decode, and reads as the full decoder does: no patch
        assertThat(GenerationFields.Reader.plan(older)).isNotEmpty();
        assertThat(read).isEqualTo(GenerationFields.of(full.deserialize(TOPIC, bytes)));
        assertThat(read.steeringPatch()).isNull();
        assertThat(read.contextKey()).isEqualTo(e.getContextKey());
    }

    @Test
    void aWriterSchemaItCannotReadFieldByFieldIsReadInFull() throws Exception {
        // an older writer without steering tokens: the reader's default (null) fills them in
        Schema older = without("steeringTokens");
        GenerationEvent e = event(List.of("<gender:male>"));
        byte[] bytes = encode(older, e);

        assertThat(GenerationFields.Reader.plan(older)).isEmpty();
        GenerationFields read = new GenerationFields.Reader(full).read(TOPIC, bytes);
        assertThat(read.steeringTokens()).isNull();
        assertThat(read.contextKey()).isEqualTo(e.getContextKey());
        assertThat(read.producedAtMillis()).isEqualTo(e.getProducedAt().toEpochMilli());
    }

    @Test
    void truncatedAndOverlongBodiesFailAsInTheFullDecoder() {
        byte[] bytes = new AvroSerializer<GenerationEvent>(registry, true, false).serialize(TOPIC, event(List.of()));
        GenerationFields.Reader reader = new GenerationFields.Reader(full);
        for (byte[] bad : List.of(Arrays.copyOf(bytes, bytes.length - 3), Arrays.copyOf(bytes, bytes.length + 2))) {
            MalformedRecordException expected = catchMalformed(() -> full.deserialize(TOPIC, bad));
            assertThatThrownBy(() -> reader.read(TOPIC, bad))
                    .isInstanceOfSatisfying(
                            MalformedRecordException.class,
                            m -> assertThat(m.reason()).isEqualTo(expected.reason()));
        }
    }

    /** The current schema less one field, as an older writer's. */
    private static Schema without(String field) {
        Schema current = GenerationEvent.getClassSchema();
        Schema older = Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false);
        older.setFields(current.getFields().stream()
                .filter(f -> !f.name().equals(field))
                .map(f -> new Schema.Field(f, f.schema()))
                .toList());
        return older;
    }

    /** The event in the wire format, written by a producer with the given schema. */
    private byte[] encode(Schema writer, GenerationEvent e) throws Exception {
        int id = registry.register(TOPIC + "-value", writer);
        GenericRecord record = new GenericData.Record(writer);
        for (Schema.Field f : writer.getFields()) {
            Object v = e.get(f.name());
            record.put(f.name(), v instanceof Instant i ? i.toEpochMilli() : v);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(writer, genericWithSpecificRecords()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static MalformedRecordException catchMalformed(Runnable r) {
        try {
            r.run();
        } catch (MalformedRecordException e) {
            return e;
        }
        throw new AssertionError("expected a MalformedRecordException");
    }

    /** Generic data that writes the nested SamplingParameters (a specific record) by its schema. */
    private static GenericData genericWithSpecificRecords() {
        return new GenericData() {
            @Override
            protected boolean isRecord(Object datum) {
                return datum instanceof org.apache.avro.generic.IndexedRecord;
            }
        };
    }

    private static GenerationEvent event(List<String> tokens) {
        return GenerationEvent.newBuilder()
                .setEventId("e1")
                .setGeneratorId("g")
                .setModelId("m")
                .setModelVersion(3)
                .setPromptId("p")
                .setContextKey("occupation:cooks")
                .setContext(Map.of("k", "v"))
                .setPromptText("Write a short bio.")
                .setSteeringTokens(tokens)
                .setResponseText("Maria is a white cook.")
                .setPromptTokens(6)
                .setResponseTokens(20)
                .setSampling(SamplingParameters.newBuilder()
                        .setTemperature(1)
                        .setTopK(0)
                        .setTopP(1)
                        .build())
                .setProducedAt(Instant.ofEpochMilli(1_700_000_000_123L))
                .setLatencyMs(1)
                .build();
    }
}

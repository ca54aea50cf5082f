package io.ballast.schemas.targets;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.schemas.RateBound;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.registry.InMemorySchemaRegistry;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.serde.AvroSerializer;
import io.ballast.schemas.topics.BallastTopic;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/** The bound evolves TargetDistribution without breaking the records and readers already out there. */
class BoundTargetSchemaTest {

    private static final Schema V1 = parse("src/compat/TargetDistribution.v1.avsc");
    private static final String TOPIC = BallastTopic.TARGETS.topicName();

    @Test
    void aBoundTargetSurvivesTheWireFormatWithEverythingItSays() {
        // given a bound-only target for an attribute the steering enum does not hold
        TargetDistribution toxic = TargetPresets.bound("toxicity", "toxic", 0.005, "policy");
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

        // when it goes through the Confluent wire format and back
        byte[] bytes = new AvroSerializer<TargetDistribution>(registry, true, false).serialize(TOPIC, toxic);
        TargetDistribution read = new AvroDeserializer<>(TargetDistribution.class, registry).deserialize(TOPIC, bytes);

        // then the bound is all there, and there is no distribution beside it
        assertThat(read).isEqualTo(toxic);
        assertThat(read.getBound()).isEqualTo(new RateBound("toxic", 0.005));
        assertThat(read.getProbabilities()).isEmpty();
        assertThat(read.getAttribute()).isEqualTo("toxicity");
    }

    @Test
    void theRegistryAcceptsTheNewVersionOverTheReleasedOneAndNewCodeReadsOldRecords() throws IOException {
        // given a version-1 record already on the topic, registered as BACKWARD registries require
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        assertThat(registry.globalCompatibility()).isEqualTo("BACKWARD");
        GenericRecord old = new GenericData.Record(V1);
        old.put("attribute", "gender");
        old.put("contextKey", null);
        old.put("probabilities", Map.of("female", 0.5, "male", 0.5));
        old.put("tolerance", 0.05);
        old.put("source", "uniform");
        old.put("updatedAt", 1_700_000_000_000L);
        byte[] oldBytes = confluentWireFormat(registry.register(TOPIC + "-value", V1), old);

        // when a current writer publishes a bound under the same subject (auto-registering version 2)
        byte[] newBytes = new AvroSerializer<TargetDistribution>(registry, true, false)
                .serialize(TOPIC, TargetPresets.bound("toxicity", "toxic", 0.005, "policy"));

        // then the registry took version 2, and the current reader reads version 1 as a distribution, no bound
        assertThat(registry.versions(TOPIC + "-value")).containsExactly(1, 2);
        AvroDeserializer<TargetDistribution> reader = new AvroDeserializer<>(TargetDistribution.class, registry);
        TargetDistribution fromOld = reader.deserialize(TOPIC, oldBytes);
        assertThat(fromOld.getBound()).isNull();
        assertThat(fromOld.getProbabilities()).containsEntry("female", 0.5);
        assertThat(fromOld.getTolerance()).isEqualTo(0.05);
        assertThat(reader.deserialize(TOPIC, newBytes).getBound().getMaxShare()).isEqualTo(0.005);
    }

    @Test
    void aReaderThatPredatesTheBoundReadsABoundTargetAsOneWithNoCategories() throws IOException {
        // given a bound target written with the current schema
        TargetDistribution toxic = TargetPresets.bound("toxicity", "toxic", 0.005, "policy");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(TargetDistribution.class).write(toxic, encoder);
        encoder.flush();

        // when an auditor built against version 1 reads it
        GenericRecord asOld = new GenericDatumReader<GenericRecord>(TargetDistribution.getClassSchema(), V1)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));

        // then it reads (FORWARD compatible too), with no categories, so no drift test runs on it
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(V1, TargetDistribution.getClassSchema())
                        .getType())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        assertThat(asOld.get("attribute").toString()).isEqualTo("toxicity");
        assertThat((Map<?, ?>) asOld.get("probabilities")).isEmpty();
        assertThat(asOld.getSchema().getField("bound")).isNull();
    }

    /** What a version-1 producer wrote: magic byte 0, the schema id (4 bytes, big-endian), the Avro body. */
    private static byte[] confluentWireFormat(int schemaId, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.writeBytes(ByteBuffer.allocate(4).putInt(schemaId).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static Schema parse(String path) {
        try {
            return new Schema.Parser().parse(Files.readString(Path.of(path)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

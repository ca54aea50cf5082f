package io.ballast.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ballast.embedded.LocalCluster;
import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SampleEvents;
import io.ballast.schemas.registry.SchemaRegistryClient;
import io.ballast.schemas.serde.MalformedRecordException.Reason;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MalformedRecordTest {

    private static final String TOPIC = "malformed-test";
    private static SchemaRegistryClient registry;
    private static AvroSerializer<GenerationEvent> serializer;
    private static AvroDeserializer<GenerationEvent> deserializer;
    private static byte[] valid;

    @BeforeAll
    static void registerAValidRecord() {
        registry = new SchemaRegistryClient(LocalCluster.shared().registryUrl());
        serializer = new AvroSerializer<>(registry, true, false);
        deserializer = new AvroDeserializer<>(GenerationEvent.class, registry);
        valid = serializer.serialize(TOPIC, SampleEvents.generation(1));
    }

    @Test
    void aValidRecordReadsBack() {
        assertThat(deserializer.deserialize(TOPIC, valid)).isEqualTo(SampleEvents.generation(1));
    }

    @Test
    void aRecordShorterThanTheHeaderIsTruncated() {
        MalformedRecordException e = malformed(new byte[] {0, 0, 1});
        assertThat(e.reason()).isEqualTo(Reason.TRUNCATED);
        assertThat(e.schemaId()).isEqualTo(-1);
        assertThat(e).hasMessageContaining("3 bytes");
    }

    @Test
    void aWrongMagicByteIsNamed() {
        byte[] bytes = valid.clone();
        bytes[0] = 0x7b; // '{': someone produced JSON
        MalformedRecordException e = malformed(bytes);
        assertThat(e.reason()).isEqualTo(Reason.WRONG_MAGIC_BYTE);
        assertThat(e).hasMessageContaining("0x7b");
    }

    @Test
    void anIdTheRegistryDoesNotKnowIsNamedWithTheRegistrysAnswerAsCause() {
        byte[] bytes = valid.clone();
        ByteBuffer.wrap(bytes, 1, 4).putInt(987_654);
        MalformedRecordException e = malformed(bytes);
        assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA_ID);
        assertThat(e.schemaId()).isEqualTo(987_654);
        assertThat(e.getCause()).isInstanceOf(io.ballast.schemas.registry.SchemaRegistryException.class);
        assertThat(((io.ballast.schemas.registry.SchemaRegistryException) e.getCause()).status()).isEqualTo(404);
    }

    @Test
    void aBodyCutShortIsTruncatedWithTheEofAsCause() {
        MalformedRecordException e = malformed(Arrays.copyOf(valid, valid.length - 10));
        assertThat(e.reason()).isEqualTo(Reason.TRUNCATED);
        assertThat(e.getCause()).isInstanceOf(EOFException.class);
    }

    @Test
    void aBodyWithGarbageIsCorrupt() {
        byte[] bytes = valid.clone();
        // the steeringTokens union index sits after the strings; overwrite the whole body instead
        // with bytes that claim a negative string length
        for (int i = 5; i < bytes.length; i++) {
            bytes[i] = (byte) 0x03;
        }
        MalformedRecordException e = malformed(bytes);
        assertThat(e.reason()).isEqualTo(Reason.CORRUPT_PAYLOAD);
        assertThat(e.getCause()).isNotNull();
    }

    @Test
    void bytesLeftOverAfterACompleteRecordAreCorrupt() {
        byte[] bytes = Arrays.copyOf(valid, valid.length + 3);
        MalformedRecordException e = malformed(bytes);
        assertThat(e.reason()).isEqualTo(Reason.CORRUPT_PAYLOAD);
        assertThat(e).hasMessageContaining("left over");
    }

    @Test
    void aRecordOfAnotherTypeIsAnIncompatibleSchema() {
        // given a DeadLetter written to the same topic name
        byte[] other = new AvroSerializer<DeadLetter>(registry, true, false).serialize(TOPIC + "-other",
                DeadLetter.newBuilder().setSourceTopic("t").setPartition(0).setOffset(1).setErrorClass("X")
                        .setReason("R").setErrorMessage("m").setComponent("c")
                        .setAt(java.time.Instant.EPOCH).build());
        MalformedRecordException e = malformed(other);
        assertThat(e.reason()).isEqualTo(Reason.INCOMPATIBLE_SCHEMA);
        assertThat(e).hasMessageContaining("DeadLetter");
    }

    private static MalformedRecordException malformed(byte[] bytes) {
        MalformedRecordException e = catchThrowableOfType(MalformedRecordException.class,
                () -> deserializer.deserialize(TOPIC, bytes));
        assertThat(e).as("a MalformedRecordException").isNotNull();
        assertThat(e.topic()).isEqualTo(TOPIC);
        return e;
    }
}

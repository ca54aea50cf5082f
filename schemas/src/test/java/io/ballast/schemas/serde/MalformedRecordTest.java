package io.ballast.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SampleEvents;
import io.ballast.schemas.registry.InMemorySchemaRegistry;
import io.ballast.schemas.registry.SchemaRegistry;
import io.ballast.schemas.registry.SchemaRegistryException;
import io.ballast.schemas.serde.MalformedRecordException.Reason;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;

/**
 * Every way a record's bytes can be wrong, against an in-memory registry reached through a
 * {@code mock://} URL: no registry process, so the serde's own checks run in milliseconds.
 * {@link MalformedRecordIT} runs the same specifications against the real registry.
 */
@TestInstance(Lifecycle.PER_CLASS)
class MalformedRecordTest {

    private static final String TOPIC = "malformed-test";
    private SchemaRegistry registry;
    private AvroDeserializer<GenerationEvent> deserializer;
    private byte[] valid;

    /** The registry URL the serde is configured with; the IT points it at a real registry. */
    protected String registryUrl() {
        return SchemaRegistry.MOCK_SCHEME + getClass().getSimpleName();
    }

    @BeforeAll
    void registerAValidRecord() {
        registry = SchemaRegistry.forUrl(registryUrl());
        AvroSerializer<GenerationEvent> serializer = new AvroSerializer<>(registry, true, false);
        deserializer = new AvroDeserializer<>(GenerationEvent.class, registry);
        valid = serializer.serialize(TOPIC, SampleEvents.generation(1));
    }

    @AfterAll
    void forgetTheInMemoryRegistry() {
        InMemorySchemaRegistry.dropScope(getClass().getSimpleName());
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
        assertThat(e.getCause()).isInstanceOf(SchemaRegistryException.class);
        assertThat(((SchemaRegistryException) e.getCause()).status()).isEqualTo(404);
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
        byte[] other = new AvroSerializer<DeadLetter>(registry, true, false)
                .serialize(
                        TOPIC + "-other",
                        DeadLetter.newBuilder()
                                .setSourceTopic("t")
                                .setPartition(0)
                                .setOffset(1)
                                .setErrorClass("X")
                                .setReason("R")
                                .setErrorMessage("m")
                                .setComponent("c")
                                .setAt(Instant.EPOCH)
                                .build());
        MalformedRecordException e = malformed(other);
        assertThat(e.reason()).isEqualTo(Reason.INCOMPATIBLE_SCHEMA);
        assertThat(e).hasMessageContaining("DeadLetter");
    }

    private MalformedRecordException malformed(byte[] bytes) {
        MalformedRecordException e =
                catchThrowableOfType(MalformedRecordException.class, () -> deserializer.deserialize(TOPIC, bytes));
        assertThat(e).as("a MalformedRecordException").isNotNull();
        assertThat(e.topic()).isEqualTo(TOPIC);
        return e;
    }
}

package io.ballast.schemas.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.schemas.DeadLetter;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    @Test
    void givenAValueNearTheBrokersSizeLimit_whenDeadLettered_thenTheLetterKeepsItsHeadLengthAndHashAndFitsEasily()
            throws Exception {
        // given a 1 MB value (the broker's default limit) and a 200 KB key
        byte[] value = random(1_000_000, 1);
        byte[] key = random(200_000, 2);
        // when dead-lettered with a long message
        DeadLetter letter = DeadLetters.of(
                "ballast.generations",
                3,
                42,
                key,
                value,
                "MalformedRecordException",
                "CORRUPT_PAYLOAD",
                "x".repeat(100_000),
                "auditor");
        // then each payload is cut to its first 64 KiB with the original length and SHA-256 recorded
        assertThat(bytes(letter.getValue())).isEqualTo(Arrays.copyOf(value, DeadLetters.MAX_PAYLOAD_BYTES));
        assertThat(letter.getValueLength()).isEqualTo(1_000_000);
        assertThat(letter.getValueSha256()).isEqualTo(DeadLetters.sha256(value)).hasSize(64);
        assertThat(bytes(letter.getKey())).hasSize(DeadLetters.MAX_PAYLOAD_BYTES);
        assertThat(letter.getKeyLength()).isEqualTo(200_000);
        assertThat(letter.getKeySha256()).isEqualTo(DeadLetters.sha256(key));
        assertThat(letter.getErrorMessage())
                .hasSizeLessThan(DeadLetters.MAX_MESSAGE_CHARS + 50)
                .endsWith("(100000 characters)");
        // and the whole letter encodes far below the 1 MB a broker accepts by default
        assertThat(encodedSize(letter)).isLessThan(200_000);
    }

    @Test
    void givenASmallRecord_whenDeadLettered_thenItIsKeptWholeWithItsLengthAndNoHash() {
        byte[] value = {0, 0, 0, 0, 7, 1, 2};
        DeadLetter letter = DeadLetters.of("t", 0, 1, null, value, "E", "R", "m", "generator");
        assertThat(bytes(letter.getValue())).isEqualTo(value);
        assertThat(letter.getValueLength()).isEqualTo(7);
        assertThat(letter.getValueSha256()).isNull();
        assertThat(letter.getKey()).isNull();
        assertThat(letter.getKeyLength()).isEqualTo(-1);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    private static int encodedSize(DeadLetter letter) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(DeadLetter.class).write(letter, encoder);
        encoder.flush();
        return out.size();
    }
}

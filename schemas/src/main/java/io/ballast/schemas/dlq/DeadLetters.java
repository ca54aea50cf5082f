package io.ballast.schemas.dlq;

import io.ballast.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The one way a {@link DeadLetter} is built, by plain consumers and the auditor's topology alike.
 * A dead letter embeds the record it gives up on; unbounded, a value near the broker's size limit
 * would give a letter that cannot be sent, and the sender would then fail on the same record again
 * and again. So key and value are kept up to {@link #MAX_PAYLOAD_BYTES} each, and a longer one is cut
 * with its original length and SHA-256 recorded; messages are cut at {@link #MAX_MESSAGE_CHARS}.
 */
public final class DeadLetters {

    public static final int MAX_PAYLOAD_BYTES = 64 * 1024;
    public static final int MAX_MESSAGE_CHARS = 2_000;

    private DeadLetters() {}

    public static DeadLetter of(
            String topic,
            int partition,
            long offset,
            byte[] key,
            byte[] value,
            String errorClass,
            String reason,
            String message,
            String component) {
        DeadLetter.Builder b = DeadLetter.newBuilder()
                .setSourceTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setErrorClass(errorClass)
                .setReason(reason)
                .setErrorMessage(cut(String.valueOf(message)))
                .setComponent(component)
                .setAt(Instant.now());
        if (key != null) {
            b.setKey(ByteBuffer.wrap(head(key)))
                    .setKeyLength(key.length)
                    .setKeySha256(key.length > MAX_PAYLOAD_BYTES ? sha256(key) : null);
        }
        if (value != null) {
            b.setValue(ByteBuffer.wrap(head(value)))
                    .setValueLength(value.length)
                    .setValueSha256(value.length > MAX_PAYLOAD_BYTES ? sha256(value) : null);
        }
        return b.build();
    }

    private static byte[] head(byte[] bytes) {
        return bytes.length <= MAX_PAYLOAD_BYTES ? bytes : Arrays.copyOf(bytes, MAX_PAYLOAD_BYTES);
    }

    private static String cut(String message) {
        return message.length() <= MAX_MESSAGE_CHARS
                ? message
                : message.substring(0, MAX_MESSAGE_CHARS) + "… (" + message.length() + " characters)";
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}

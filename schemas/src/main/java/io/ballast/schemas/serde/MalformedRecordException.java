package io.ballast.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record's bytes are not a valid Confluent-wire-format Avro record of the expected type.
 * {@link #reason()} says which of the ways it failed; consumers route such records, raw bytes and
 * reason, to {@code ballast.dlq}.
 */
public class MalformedRecordException extends SerializationException {

    public enum Reason {
        /** Shorter than the 5-byte header, or the Avro body ends early. */
        TRUNCATED,
        /** First byte is not 0: not the Confluent wire format. */
        WRONG_MAGIC_BYTE,
        /** The 4-byte schema id is not known to the registry. */
        UNKNOWN_SCHEMA_ID,
        /** The writer schema cannot be read as the expected record type. */
        INCOMPATIBLE_SCHEMA,
        /** The Avro body does not decode under its writer schema, or has bytes left over. */
        CORRUPT_PAYLOAD
    }

    private final Reason reason;
    private final String topic;
    private final int schemaId;

    public MalformedRecordException(Reason reason, String topic, int schemaId, String message, Throwable cause) {
        super(
                reason + " on topic " + topic + (schemaId >= 0 ? " (schema id " + schemaId + ")" : "") + ": " + message,
                cause);
        this.reason = reason;
        this.topic = topic;
        this.schemaId = schemaId;
    }

    public Reason reason() {
        return reason;
    }

    public String topic() {
        return topic;
    }

    /** The schema id read from the header, or -1 if the header was unreadable. */
    public int schemaId() {
        return schemaId;
    }
}

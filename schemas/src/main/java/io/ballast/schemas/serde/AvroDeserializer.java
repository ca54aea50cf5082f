package io.ballast.schemas.serde;

import io.ballast.schemas.registry.SchemaRegistry;
import io.ballast.schemas.registry.SchemaRegistryException;
import io.ballast.schemas.serde.MalformedRecordException.Reason;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-wire-format Avro into a specific record type, resolving the writer's schema
 * (fetched by id, then cached) against the type's own. Every way the bytes can be wrong raises
 * {@link MalformedRecordException} with its {@link Reason}; a registry that cannot be reached
 * raises {@link SchemaRegistryException} instead, since the record itself may be fine.
 */
public class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    static {
        TrustedContracts.install();
    }

    /** Where the Avro body starts in wire-format bytes, after the magic byte and the schema id. */
    public static final int BODY_OFFSET = WireFormat.HEADER_SIZE;

    private final Class<T> type;
    private final Schema readerSchema;
    private SchemaRegistry registry;
    private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();

    public AvroDeserializer(Class<T> type) {
        this.type = type;
        this.readerSchema = SpecificData.get().getSchema(type);
    }

    public AvroDeserializer(Class<T> type, SchemaRegistry registry) {
        this(type);
        this.registry = registry;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.registry = SchemaRegistry.forUrl(AvroSerdeConfig.from(configs).registryUrl());
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        int id = schemaId(topic, data);
        SpecificDatumReader<T> reader = reader(topic, id);
        BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, null);
        T record;
        try {
            record = reader.read(null, decoder);
        } catch (EOFException e) {
            throw new MalformedRecordException(Reason.TRUNCATED, topic, id, "Avro body ends early", e);
        } catch (IOException | RuntimeException e) {
            throw new MalformedRecordException(
                    Reason.CORRUPT_PAYLOAD,
                    topic,
                    id,
                    "Avro body does not decode as " + type.getSimpleName() + ": " + e,
                    e);
        }
        try {
            if (!decoder.isEnd()) {
                throw new MalformedRecordException(
                        Reason.CORRUPT_PAYLOAD,
                        topic,
                        id,
                        "bytes left over after a complete " + type.getSimpleName(),
                        null);
            }
        } catch (IOException e) {
            throw new MalformedRecordException(Reason.CORRUPT_PAYLOAD, topic, id, e.toString(), e);
        }
        return record;
    }

    /**
     * The schema id of wire-format bytes, after checking the header.
     *
     * @throws MalformedRecordException (TRUNCATED, WRONG_MAGIC_BYTE) when the bytes are no wire-format record
     */
    public static int schemaId(String topic, byte[] data) {
        if (data.length < WireFormat.HEADER_SIZE) {
            throw new MalformedRecordException(
                    Reason.TRUNCATED,
                    topic,
                    -1,
                    data.length + " bytes, shorter than the 5-byte wire-format header",
                    null);
        }
        if (data[0] != WireFormat.MAGIC_BYTE) {
            throw new MalformedRecordException(
                    Reason.WRONG_MAGIC_BYTE,
                    topic,
                    -1,
                    String.format("first byte is 0x%02x, expected 0x00", data[0]),
                    null);
        }
        return ByteBuffer.wrap(data, 1, 4).getInt();
    }

    /**
     * The writer schema of id {@code id}, once it is known to be readable as this deserializer's
     * type (for a reader that decodes only some of its fields itself).
     *
     * @throws MalformedRecordException (UNKNOWN_SCHEMA_ID, INCOMPATIBLE_SCHEMA)
     */
    public Schema writerSchema(String topic, int id) {
        return reader(topic, id).getSchema();
    }

    private SpecificDatumReader<T> reader(String topic, int id) {
        SpecificDatumReader<T> cached = readers.get(id);
        if (cached != null) {
            return cached;
        }
        Schema writer;
        try {
            writer = registry.schemaById(id);
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) {
                throw new MalformedRecordException(
                        Reason.UNKNOWN_SCHEMA_ID, topic, id, "the registry has no schema " + id, e);
            }
            throw e;
        }
        var compatibility = SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new MalformedRecordException(
                    Reason.INCOMPATIBLE_SCHEMA,
                    topic,
                    id,
                    "writer schema " + writer.getFullName() + " cannot be read as " + type.getName() + ": "
                            + compatibility.getResult().getIncompatibilities(),
                    new AvroTypeException(compatibility.getDescription()));
        }
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(writer, readerSchema);
        readers.put(id, reader);
        return reader;
    }
}

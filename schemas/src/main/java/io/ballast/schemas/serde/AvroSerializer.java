package io.ballast.schemas.serde;

import io.ballast.schemas.registry.SchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes specific Avro records in the Confluent wire format, registering (or, with
 * {@code auto.register.schemas=false}, looking up) the schema under {@code <topic>-value} or
 * {@code <topic>-key}. Thread-safe: a producer may call it from many threads.
 */
public class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    static {
        TrustedContracts.install();
    }

    private SchemaRegistry registry;
    private boolean autoRegister = true;
    private boolean isKey;
    private final Map<Schema, SpecificDatumWriter<T>> writers = new ConcurrentHashMap<>();

    /** For Kafka's config-driven instantiation; {@link #configure} must follow. */
    public AvroSerializer() {}

    public AvroSerializer(SchemaRegistry registry, boolean autoRegister, boolean isKey) {
        this.registry = registry;
        this.autoRegister = autoRegister;
        this.isKey = isKey;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig config = AvroSerdeConfig.from(configs);
        this.registry = SchemaRegistry.forUrl(config.registryUrl());
        this.autoRegister = config.autoRegister();
        this.isKey = isKey;
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        Schema schema = record.getSchema();
        int id = schemaId(WireFormat.subject(topic, isKey), schema);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(WireFormat.MAGIC_BYTE);
        out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writers.computeIfAbsent(schema, SpecificDatumWriter::new).write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(
                    "cannot serialize " + schema.getFullName() + " for topic " + topic + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private int schemaId(String subject, Schema schema) {
        // the client caches both calls by (subject, schema): no HTTP after the first record
        if (autoRegister) {
            return registry.register(subject, schema);
        }
        return registry.lookup(subject, schema)
                .orElseThrow(() -> new SerializationException("schema " + schema.getFullName()
                        + " is not registered under " + subject + " and auto.register.schemas=false"));
    }
}

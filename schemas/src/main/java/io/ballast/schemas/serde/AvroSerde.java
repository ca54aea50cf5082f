package io.ballast.schemas.serde;

import io.ballast.schemas.registry.SchemaRegistry;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** The serializer and deserializer as one Kafka Streams {@link Serde}. */
public class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;

    public AvroSerde(Class<T> type) {
        this.serializer = new AvroSerializer<>();
        this.deserializer = new AvroDeserializer<>(type);
    }

    public AvroSerde(Class<T> type, SchemaRegistry registry, boolean isKey) {
        this.serializer = new AvroSerializer<>(registry, true, isKey);
        this.deserializer = new AvroDeserializer<>(type, registry);
    }

    /** A value serde for the type, configured against the registry at this URL ({@code mock://} included). */
    public static <T extends SpecificRecord> AvroSerde<T> forValues(Class<T> type, String registryUrl) {
        return new AvroSerde<>(type, SchemaRegistry.forUrl(registryUrl), false);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        serializer.configure(configs, isKey);
        deserializer.configure(configs, isKey);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}

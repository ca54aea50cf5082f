package io.ballast.schemas.serde;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/** The serde's settings, under the same keys as Confluent's serializers. */
public record AvroSerdeConfig(String registryUrl, boolean autoRegister) {

    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

    public static AvroSerdeConfig from(Map<String, ?> configs) {
        Object url = configs.get(SCHEMA_REGISTRY_URL);
        if (url == null || url.toString().isBlank()) {
            throw new ConfigException(SCHEMA_REGISTRY_URL, url, "the Avro serde needs the schema registry's URL");
        }
        Object auto = configs.get(AUTO_REGISTER_SCHEMAS);
        boolean autoRegister = auto == null || Boolean.parseBoolean(auto.toString());
        return new AvroSerdeConfig(url.toString(), autoRegister);
    }
}

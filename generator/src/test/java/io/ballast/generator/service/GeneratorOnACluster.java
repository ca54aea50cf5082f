package io.ballast.generator.service;

import io.ballast.embedded.LocalCluster;
import io.ballast.generator.TinyModels;
import io.ballast.generator.store.ArtifactMetadata;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.runtime.ConfigSource;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.registry.SchemaRegistryClient;
import io.ballast.schemas.serde.AvroSerializer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/** What the generator's load tests share: model copies in a store, an announcer, and the service's settings. */
final class GeneratorOnACluster {

    private GeneratorOnACluster() {}

    /** The tiny model's files published in {@code store} as the next version of {@code modelId}. */
    static ModelArtifact tinyCopy(LocalModelStore store, String modelId, String description) throws IOException {
        ModelArtifact a = TinyModels.published();
        return store.importCopy(
                new ModelArtifact(modelId, a.version(), a.directory(), a.sha256(), a.metadata()),
                ArtifactMetadata.Lineage.base(description, Map.of()));
    }

    /** A producer that announces model updates, acknowledged by every replica. */
    static KafkaProducer<String, ModelUpdate> announcer(LocalCluster cluster) {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        cluster.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG,
                        "all"),
                new StringSerializer(),
                new AvroSerializer<>(new SchemaRegistryClient(cluster.registryUrl()), true, false));
    }

    /** A generator serving {@code modelId} from {@code storeDir} with two workers, the test's settings on top. */
    static GeneratorConfig config(LocalCluster cluster, Path storeDir, String modelId, Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(Map.of(
                GeneratorConfig.BOOTSTRAP_SERVERS,
                cluster.bootstrapServers(),
                GeneratorConfig.SCHEMA_REGISTRY_URL,
                cluster.registryUrl(),
                GeneratorConfig.MODEL_STORE,
                storeDir.toString(),
                GeneratorConfig.MODEL_ID,
                modelId,
                GeneratorConfig.HTTP_PORT,
                "0",
                GeneratorConfig.WORKERS,
                "2"));
        all.putAll(settings);
        return GeneratorConfig.from(ConfigSource.ofMap(all));
    }
}

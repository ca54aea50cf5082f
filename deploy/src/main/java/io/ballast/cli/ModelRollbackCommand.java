package io.ballast.cli;

import io.ballast.generator.service.ModelUpdates;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.schemas.ModelAction;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.registry.SchemaRegistryClient;
import io.ballast.schemas.serde.AvroSerializer;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "rollback",
        mixinStandardHelpOptions = true,
        description = "Announce ROLLBACK to an earlier version on ballast.model-updates; generators swap to it.")
final class ModelRollbackCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Parameters(index = "0", description = "Version to serve.")
    int version;

    @Option(names = "--bootstrap-servers", required = true)
    String bootstrapServers;

    @Option(names = "--registry-url", required = true)
    String registryUrl;

    @Override
    public Integer call() throws Exception {
        ModelArtifact artifact = store.open().get(store.modelId, version);
        try (KafkaProducer<String, ModelUpdate> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(),
                new AvroSerializer<>(SchemaRegistryClient.shared(registryUrl), true, false))) {
            ModelUpdates.announce(producer, ModelUpdates.of(artifact, ModelAction.ROLLBACK));
        }
        System.out.printf("announced ROLLBACK of %s to v%d (sha256 %s)%n", store.modelId, version, artifact.sha256());
        return 0;
    }
}

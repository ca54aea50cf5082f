package io.ballast.cli;

import io.ballast.auditor.AuditorApp;
import io.ballast.auditor.AuditorConfig;
import io.ballast.auditor.topology.AuditTopology;
import io.ballast.auditor.topology.ContextCounts;
import io.ballast.embedded.LocalCluster;
import io.ballast.runtime.ConfigSource;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SamplingParameters;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.registry.SchemaRegistryClient;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.serde.AvroSerializer;
import io.ballast.schemas.targets.TargetPresets;
import io.ballast.schemas.targets.TargetPublisher;
import io.ballast.schemas.topics.BallastTopic;
import io.ballast.schemas.topics.TopicProvisioner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "auditor",
        mixinStandardHelpOptions = true,
        description = {
            "Auditor end-to-end throughput on a real (local) broker, next to a plain consumer reading the",
            "same topic in the same run: records/s for each and their ratio."
        })
final class AuditorBench implements Callable<Integer> {

    // at 30,000 the plain consumer is done in about 0.14 s on 2 cores: the ratio then measures JIT warm-up more than
    // per-record work (0.31-0.36 there against 0.47-0.48 at 100,000 in the same hour), so the default is longer
    @Option(names = "--records", defaultValue = "100000", description = "Records to audit (default: ${DEFAULT-VALUE}).")
    int records;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("ballast-bench-auditor-");
        try (LocalCluster cluster = new LocalCluster(dir.resolve("cluster")).start()) {
            new TopicProvisioner(cluster.bootstrapServers(), (short) 1).ensureAll();
            SchemaRegistryClient registry = SchemaRegistryClient.shared(cluster.registryUrl());
            TargetPublisher.publish(cluster.bootstrapServers(), cluster.registryUrl(), TargetPresets.uniform(0.08));
            List<String> contexts =
                    List.of("occupation:cooks", "occupation:cashiers", "occupation:lawyers", "occupation:pharmacists");
            try (KafkaProducer<String, GenerationEvent> p = new KafkaProducer<>(
                    Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            cluster.bootstrapServers(),
                            ProducerConfig.LINGER_MS_CONFIG,
                            20),
                    new StringSerializer(),
                    new AvroSerializer<>(registry, true, false))) {
                for (int i = 0; i < records; i++) {
                    String ctx = contexts.get(i % contexts.size());
                    p.send(new ProducerRecord<>(
                            BallastTopic.GENERATIONS.topicName(),
                            ctx,
                            GenerationEvent.newBuilder()
                                    .setEventId("e" + i)
                                    .setGeneratorId("bench")
                                    .setModelId("bench")
                                    .setModelVersion(1)
                                    .setPromptId("p")
                                    .setContextKey(ctx)
                                    .setPromptText("Write a short bio.")
                                    .setSteeringTokens(List.of(
                                            i % 2 == 0 ? "<gender:female>" : "<gender:male>",
                                            "<race:white>",
                                            "<sentiment:positive>"))
                                    .setResponseText((i % 2 == 0
                                                    ? "Maria is a white cook. She loves"
                                                    : "James is a white cook. He loves")
                                            + " her work and is admired by colleagues.")
                                    .setPromptTokens(6)
                                    .setResponseTokens(20)
                                    .setSampling(SamplingParameters.newBuilder()
                                            .setTemperature(1)
                                            .setTopK(0)
                                            .setTopP(1)
                                            .build())
                                    .setProducedAt(Instant.now())
                                    .setLatencyMs(1)
                                    .build()));
                }
            }
            System.out.printf("produced %,d records%n", records);
            double plain = consume(cluster, registry);
            double audited = audit(cluster, dir);
            System.out.printf("plain consumer (Avro deserialization): %,.0f records/s%n", plain);
            System.out.printf(
                    "auditor end to end (exactly-once, 3 attributes, windows, drift): %,.0f records/s%n", audited);
            System.out.printf("ratio auditor / plain consumer: %.3f%n", audited / plain);
        }
        return 0;
    }

    private double consume(LocalCluster cluster, SchemaRegistryClient registry) {
        try (KafkaConsumer<String, GenerationEvent> c = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        cluster.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "plain-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new StringDeserializer(),
                new AvroDeserializer<>(GenerationEvent.class, registry))) {
            c.subscribe(List.of(BallastTopic.GENERATIONS.topicName()));
            int seen = 0;
            long start = 0;
            while (seen < records) {
                for (ConsumerRecord<String, GenerationEvent> r : c.poll(Duration.ofMillis(200))) {
                    if (start == 0) {
                        start = System.nanoTime();
                    }
                    seen += r.value().getContextKey().isEmpty() ? 0 : 1;
                }
            }
            return records / ((System.nanoTime() - start) / 1e9);
        }
    }

    private double audit(LocalCluster cluster, Path dir) throws Exception {
        AuditorConfig config = AuditorConfig.from(ConfigSource.ofMap(Map.of(
                AuditorConfig.BOOTSTRAP_SERVERS, cluster.bootstrapServers(),
                AuditorConfig.SCHEMA_REGISTRY_URL, cluster.registryUrl(),
                AuditorConfig.STATE_DIR, dir.resolve("auditor").toString(),
                AuditorConfig.APPLICATION_ID, "bench-auditor-" + UUID.randomUUID(),
                AuditorConfig.HTTP_PORT, "0")));
        try (AuditorApp app = new AuditorApp(config).start()) {
            long start = 0;
            while (app.metrics().processed().count() < records) {
                if (start == 0 && app.metrics().processed().count() > 0) {
                    start = System.nanoTime();
                }
                Thread.sleep(5);
            }
            long read = System.nanoTime();
            // processed means read; wait for the counts to include every record too
            while (liveTotal(app) < records) {
                Thread.sleep(20);
            }
            long counted = System.nanoTime();
            System.out.printf(
                    "auditor read every record in %.2f s, counted them all %.2f s later%n",
                    (read - start) / 1e9, (counted - read) / 1e9);
            return records / ((counted - start) / 1e9);
        }
    }

    private static long liveTotal(AuditorApp app) {
        try {
            ReadOnlyKeyValueStore<String, ContextCounts> store = app.streams()
                    .store(StoreQueryParameters.fromNameAndType(
                            AuditTopology.AGGREGATES_STORE,
                            QueryableStoreTypes.<String, ContextCounts>keyValueStore()));
            int gender = Attribute.GENDER.ordinal();
            long n = 0;
            try (KeyValueIterator<String, ContextCounts> it = store.all()) {
                while (it.hasNext()) {
                    n += it.next().value.sinceLive(gender).n();
                }
            }
            return n;
        } catch (RuntimeException e) {
            return 0;
        }
    }
}

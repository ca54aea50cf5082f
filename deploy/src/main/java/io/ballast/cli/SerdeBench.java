package io.ballast.cli;

import io.ballast.embedded.LocalCluster;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SamplingParameters;
import io.ballast.schemas.registry.SchemaRegistryClient;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.serde.AvroSerializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "serde",
        mixinStandardHelpOptions = true,
        description = {
            "Start a fresh local broker and registry (timing it), then measure the Avro wire-format",
            "serde on one thread: GenerationEvents serialized and deserialized per second."
        })
final class SerdeBench implements Callable<Integer> {

    @Option(
            names = "--records",
            defaultValue = "200000",
            description = "Records per measured round (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(
            names = "--rounds",
            defaultValue = "5",
            description = "Measured rounds after two warm-up rounds (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("ballast-bench-");
        try (LocalCluster cluster = new LocalCluster(dir)) {
            cluster.start();
            System.out.printf("broker+registry start-up: %d ms%n", cluster.startupMillis());
            SchemaRegistryClient registry = new SchemaRegistryClient(cluster.registryUrl());
            AvroSerializer<GenerationEvent> serializer = new AvroSerializer<>(registry, true, false);
            AvroDeserializer<GenerationEvent> deserializer = new AvroDeserializer<>(GenerationEvent.class, registry);
            GenerationEvent[] events = new GenerationEvent[1024];
            for (int i = 0; i < events.length; i++) {
                events[i] = event(i);
            }
            byte[][] encoded = new byte[events.length][];
            for (int i = 0; i < events.length; i++) {
                encoded[i] = serializer.serialize("ballast.generations", events[i]);
            }
            System.out.printf("record size: %d bytes%n", encoded[0].length);
            for (int round = -2; round < rounds; round++) {
                long sink = 0;
                long t0 = System.nanoTime();
                for (int i = 0; i < records; i++) {
                    sink += serializer.serialize("ballast.generations", events[i & 1023]).length;
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < records; i++) {
                    sink += deserializer
                            .deserialize("ballast.generations", encoded[i & 1023])
                            .getLatencyMs();
                }
                long t2 = System.nanoTime();
                if (round >= 0) {
                    System.out.printf(
                            "round %d: serialize %,.0f records/s, deserialize %,.0f records/s (sink %d)%n",
                            round, records / ((t1 - t0) / 1e9), records / ((t2 - t1) / 1e9), sink % 10);
                }
            }
        }
        return 0;
    }

    private static GenerationEvent event(int i) {
        return GenerationEvent.newBuilder()
                .setEventId("evt-" + i)
                .setGeneratorId("gen-1")
                .setModelId("bios")
                .setModelVersion(3)
                .setPromptId("bio-" + i % 7)
                .setContextKey("occupation:registered-nurses")
                .setContext(Map.of("occupation", "Registered nurses"))
                .setPromptText("Write a short bio of a registered nurse.")
                .setSteeringTokens(List.of("<gender:female>", "<race:asian>", "<sentiment:positive>"))
                .setResponseText("Mei has been a registered nurse for " + i % 30
                        + " years. She is calm, warm and respected by her patients.")
                .setPromptTokens(9)
                .setResponseTokens(28)
                .setSampling(SamplingParameters.newBuilder()
                        .setTemperature(1.0)
                        .setTopK(0)
                        .setTopP(1.0)
                        .setSeed((long) i)
                        .build())
                .setProducedAt(Instant.ofEpochMilli(1_760_000_000_000L + i))
                .setLatencyMs(25)
                .build();
    }
}

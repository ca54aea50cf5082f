package io.ballast.cli;

import io.ballast.auditor.AuditorApp;
import io.ballast.auditor.AuditorConfig;
import io.ballast.auditor.topology.AuditSample;
import io.ballast.auditor.topology.AuditTopology;
import io.ballast.auditor.topology.ContextCounts;
import io.ballast.classifiers.ClassifierSettings;
import io.ballast.classifiers.datasets.LabelledSets;
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
            "Auditor end-to-end throughput on a real (local) broker, next to a plain consumer reading the same topic in",
            "the same run: records/s for each classifier configuration (the default rules and VADER, the pre-wave-3",
            "lexicons, the encoder heads on a sample), and two auditor instances against one with the encoder."
        })
final class AuditorBench implements Callable<Integer> {

    // at 30,000 the plain consumer is done in about 0.14 s on 2 cores: the ratio then measures JIT warm-up more than
    // per-record work (0.31-0.36 there against 0.47-0.48 at 100,000 in the same hour), so the default is longer
    @Option(names = "--records", defaultValue = "100000", description = "Records to audit (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(
            names = "--encoder-records",
            defaultValue = "4000",
            description = "Of those, about how many the encoder configuration audits, as a uniform sample by event id"
                    + " (default: ${DEFAULT-VALUE}).")
    int encoderRecords;

    /**
     * Throughput is taken from when every instance counts and this share is counted, to the share {@link #TO}:
     * start-up and the group's rebalancing stay outside it.
     */
    private static final double FROM = 0.1;

    private static final double TO = 0.9;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("ballast-bench-auditor-");
        try (LocalCluster cluster = new LocalCluster(dir.resolve("cluster")).start()) {
            new TopicProvisioner(cluster.bootstrapServers(), (short) 1).ensureAll();
            SchemaRegistryClient registry = SchemaRegistryClient.shared(cluster.registryUrl());
            TargetPublisher.publish(cluster.bootstrapServers(), cluster.registryUrl(), TargetPresets.uniform(0.08));
            List<String> contexts = balancedContexts(12);
            // real-looking text: the hand-written bios (every split; nothing here is measured on them)
            List<String> texts = new java.util.ArrayList<>();
            for (String split : List.of("dev", "test")) {
                LabelledSets.bios(split).forEach(b -> texts.add(b.text()));
            }
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
                                    .setResponseText(texts.get(i % texts.size()))
                                    .setPromptTokens(6)
                                    .setResponseTokens(60)
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
            System.out.printf(
                    "produced %,d records (%d contexts over %d partitions, %d distinct bio texts)%n",
                    records, contexts.size(), BallastTopic.GENERATIONS.partitions(), texts.size());
            double plain = consume(cluster, registry);
            System.out.printf("plain consumer (Avro deserialization): %,.0f records/s%n", plain);
            double rules = audit(cluster, dir, "rules", Map.of(), 1, 1.0);
            double lexicon = audit(
                    cluster,
                    dir,
                    "lexicon",
                    Map.of(
                            ClassifierSettings.GENDER.key(), "lexicon",
                            ClassifierSettings.RACE.key(), "lexicon",
                            ClassifierSettings.SENTIMENT.key(), "lexicon"),
                    1,
                    1.0);
            double rate = Math.min(1.0, encoderRecords / (double) records);
            Map<String, String> encoder =
                    Map.of(ClassifierSettings.SENTIMENT.key(), "encoder", ClassifierSettings.TOXICITY.key(), "encoder");
            double encoderOne = audit(cluster, dir, "encoder", encoder, 1, rate);
            double encoderTwo = audit(cluster, dir, "encoder", encoder, 2, rate);
            System.out.println();
            System.out.println("| configuration (classifiers) | instances x stream threads | audited records/s |");
            System.out.println("|---|---|---|");
            System.out.printf("| plain consumer, no audit (baseline) | 1 | %,.0f |%n", plain);
            System.out.printf(
                    "| default: gender and race rules, VADER sentiment, lexicon toxicity | 1 x 1 | %,.0f (%.2f of plain) |%n",
                    rules, rules / plain);
            System.out.printf(
                    "| pre-wave-3 lexicons (all four) | 1 x 1 | %,.0f (%.2f of plain) |%n", lexicon, lexicon / plain);
            System.out.printf(
                    "| encoder sentiment and toxicity (all-MiniLM-L6-v2, 1 ONNX thread), sample %.3f | 1 x 1 | %,.1f |%n",
                    rate, encoderOne);
            System.out.printf(
                    "| the same, two instances | 2 x 1 | %,.1f (%.2fx one) |%n", encoderTwo, encoderTwo / encoderOne);
        }
        return 0;
    }

    /** Contexts that spread evenly over the partitions of the generations topic, so instances share the work. */
    private static List<String> balancedContexts(int n) {
        int partitions = BallastTopic.GENERATIONS.partitions();
        int perPartition = Math.max(1, n / partitions);
        int[] taken = new int[partitions];
        List<String> out = new java.util.ArrayList<>();
        for (var o : io.ballast.schemas.domain.Occupation.all()) {
            int p = io.ballast.auditor.topology.ContextRouting.partitionOf(o.contextKey(), partitions);
            if (taken[p] < perPartition) {
                taken[p]++;
                out.add(o.contextKey());
            }
            if (out.size() == perPartition * partitions) {
                break;
            }
        }
        return out;
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

    /**
     * Audits the topic from the start with {@code instances} auditors of one application, each its own state, and
     * returns the records counted per second between {@link #FROM} and {@link #TO} of those it will count.
     */
    private double audit(
            LocalCluster cluster, Path dir, String name, Map<String, String> classifiers, int instances, double rate)
            throws Exception {
        String appId = "bench-auditor-" + name + "-" + instances + "-" + UUID.randomUUID();
        AuditSample sample = new AuditSample(rate);
        long expected = 0;
        for (int i = 0; i < records; i++) {
            expected += sample.audits("e" + i) ? 1 : 0;
        }
        List<AuditorApp> apps = new java.util.ArrayList<>();
        try {
            for (int k = 0; k < instances; k++) {
                Map<String, String> settings = new java.util.HashMap<>(classifiers);
                settings.put(AuditorConfig.BOOTSTRAP_SERVERS, cluster.bootstrapServers());
                settings.put(AuditorConfig.SCHEMA_REGISTRY_URL, cluster.registryUrl());
                settings.put(
                        AuditorConfig.STATE_DIR, dir.resolve(appId + "-" + k).toString());
                settings.put(AuditorConfig.APPLICATION_ID, appId);
                settings.put(AuditorConfig.HTTP_PORT, "0");
                settings.put(AuditorConfig.SAMPLE_RATE, Double.toString(rate));
                apps.add(new AuditorApp(AuditorConfig.from(ConfigSource.ofMap(settings))).start());
            }
            // the window opens once every instance is counting (the group has settled) and a tenth is counted
            long to = (long) Math.floor(expected * TO);
            long from = -1;
            long fromAt = 0;
            long counted;
            long last = 0;
            long lastChange = System.nanoTime();
            while ((counted = apps.stream().mapToLong(AuditorBench::liveTotal).sum()) < to) {
                if (from < 0 && counted >= expected * FROM && apps.stream().allMatch(a -> liveTotal(a) > 0)) {
                    from = counted;
                    fromAt = System.nanoTime();
                }
                if (counted != last) {
                    last = counted;
                    lastChange = System.nanoTime();
                    System.out.printf("\r  %s x%d: %,d of %,d counted", name, instances, counted, expected);
                } else if (System.nanoTime() - lastChange > 120_000_000_000L) {
                    throw new IllegalStateException(name + ": no progress for 2 minutes at " + counted);
                }
                Thread.sleep(20);
            }
            if (from < 0) {
                throw new IllegalStateException(name + " x" + instances + ": the instances never all counted before "
                        + (int) (TO * 100) + "% of the records; give it more records");
            }
            long toAt = System.nanoTime();
            double perSecond = (counted - from) / ((toAt - fromAt) / 1e9);
            System.out.printf(
                    "\r  %s x%d: %,d records counted from %,d on in %.1f s: %,.1f records/s%n",
                    name, instances, counted - from, from, (toAt - fromAt) / 1e9, perSecond);
            return perSecond;
        } finally {
            for (AuditorApp app : apps) {
                app.close();
            }
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

package io.ballast.cli;

import ai.djl.Device;
import io.ballast.embedded.LocalCluster;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.SamplingParams;
import io.ballast.generator.service.GeneratorApp;
import io.ballast.generator.service.GeneratorConfig;
import io.ballast.generator.service.ModelUpdates;
import io.ballast.generator.store.ArtifactMetadata;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.generator.training.PretrainSettings;
import io.ballast.generator.training.Pretrainer;
import io.ballast.runtime.ConfigSource;
import io.ballast.schemas.ModelAction;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.registry.SchemaRegistryClient;
import io.ballast.schemas.serde.AvroSerializer;
import io.ballast.schemas.topics.TopicProvisioner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "generator",
        mixinStandardHelpOptions = true,
        description = {
            "Generation tokens/s at batch 1 and 16, pretraining tokens/s, and request latency p50/p99",
            "steady and during hot swaps (a local broker and registry are started for the latter).",
            "With --model DIR: generation tokens/s at batch 1 and 16 of that Hugging Face checkpoint,",
            "beside the store model's as the baseline."
        })
final class GeneratorBench implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Mixin
    DeviceOptions device;

    @Option(
            names = "--seconds",
            defaultValue = "20",
            description = "Length of each latency phase (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(
            names = "--pretrain-steps",
            defaultValue = "150",
            description = "Default-size steps timed for pretraining tokens/s.")
    int pretrainSteps;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description = "A Hugging Face checkpoint directory (llama or qwen2; 'ballast model random-checkpoint'"
                    + " writes one) to measure instead: generation tokens/s at batch 1 and 16, the store model's"
                    + " beside them; the pretraining and hot-swap phases, which concern the store model, are"
                    + " skipped.")
    Path checkpoint;

    @Option(
            names = "--context-length",
            defaultValue = "512",
            description = "Most positions given to the --model checkpoint (default: ${DEFAULT-VALUE}).")
    int contextLength;

    @Override
    public Integer call() throws Exception {
        if (checkpoint != null) {
            new CheckpointThroughputBench(store, contextLength).run(checkpoint, device.resolve(), System.out);
            return 0;
        }
        LocalModelStore modelStore = store.open();
        ModelArtifact artifact = modelStore
                .latest(store.modelId)
                .orElseThrow(() -> new IllegalStateException(
                        "no model in " + modelStore.root() + ": run 'ballast model pretrain' first"));
        String prompt = BioCorpus.withDefaults().prompt("occupation:registered-nurses", BioCorpus.TRAIN_PROMPTS.get(0));
        Device on = device.resolve();
        try (LanguageModel lm = LanguageModel.load(artifact, on)) {
            System.out.printf(
                    "model %s v%d: %,d parameters, vocabulary %d, context %d%n",
                    artifact.modelId(),
                    artifact.version(),
                    lm.parameterCount(),
                    lm.tokenizer().size(),
                    lm.config().contextLength());
            for (int batch : new int[] {1, 16}) {
                System.out.printf(
                        "generation, batch %2d: %,.0f tokens/s%n",
                        batch, GenerationThroughput.tokensPerSecond(lm, prompt, batch));
            }
        }
        Pretrainer.Result pretrain =
                new Pretrainer(on).train("bench", PretrainSettings.defaults().withSteps(pretrainSteps), null);
        pretrain.model().close();
        System.out.printf("pretraining (default size, batch 32): %,.0f tokens/s%n", pretrain.tokensPerSecond());

        Path dir = Files.createTempDirectory("ballast-bench-gen-");
        try (LocalCluster cluster = new LocalCluster(dir.resolve("cluster")).start()) {
            new TopicProvisioner(cluster.bootstrapServers(), (short) 1).ensureAll();
            LocalModelStore benchStore = new LocalModelStore(dir.resolve("models"));
            List<ModelArtifact> copies = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                copies.add(benchStore.importCopy(artifact, ArtifactMetadata.Lineage.base("bench copy", Map.of())));
            }
            KafkaProducer<String, ModelUpdate> announcer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                    new StringSerializer(),
                    new AvroSerializer<>(SchemaRegistryClient.shared(cluster.registryUrl()), true, false));
            ModelUpdates.announce(announcer, ModelUpdates.of(copies.get(0), ModelAction.PROMOTE));
            GeneratorConfig config = GeneratorConfig.from(ConfigSource.ofMap(Map.of(
                    GeneratorConfig.BOOTSTRAP_SERVERS, cluster.bootstrapServers(),
                    GeneratorConfig.SCHEMA_REGISTRY_URL, cluster.registryUrl(),
                    GeneratorConfig.MODEL_STORE, benchStore.root().toString(),
                    GeneratorConfig.MODEL_ID, artifact.modelId(),
                    GeneratorConfig.HTTP_PORT, "0",
                    GeneratorConfig.DEVICE, device.device)));
            try (GeneratorApp app = new GeneratorApp(config).start()) {
                List<Long> steady = measure(app, prompt, null);
                System.out.printf(
                        "latency steady:      p50 %d ms, p99 %d ms (%d requests)%n",
                        pct(steady, 50), pct(steady, 99), steady.size());
                List<Long> swapping = measure(app, prompt, () -> {
                    int next = app.slot().currentVersion() == copies.get(0).version() ? 1 : 0;
                    ModelUpdates.announce(announcer, ModelUpdates.of(copies.get(next), ModelAction.PROMOTE));
                });
                System.out.printf(
                        "latency during swaps: p50 %d ms, p99 %d ms (%d requests, %d swaps)%n",
                        pct(swapping, 50),
                        pct(swapping, 99),
                        swapping.size(),
                        app.slot().history().size() - 1);
            }
            announcer.close();
        }
        return 0;
    }

    interface Swap {
        void run() throws Exception;
    }

    private List<Long> measure(GeneratorApp app, String prompt, Swap swap) throws Exception {
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    long t0 = System.nanoTime();
                    try {
                        app.service()
                                .submit("occupation:registered-nurses", "bench", prompt, 1, SamplingParams.defaults())
                                .get();
                        latencies.add((System.nanoTime() - t0) / 1_000_000);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            t.start();
            clients.add(t);
        }
        long end = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < end) {
            Thread.sleep(2000);
            if (swap != null) {
                swap.run();
            }
        }
        running.set(false);
        for (Thread t : clients) {
            t.join();
        }
        return new ArrayList<>(latencies);
    }

    private static long pct(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}

package io.ballast.generator.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ballast.embedded.LocalCluster;
import io.ballast.generator.checkpoint.HuggingFaceCheckpoint;
import io.ballast.generator.checkpoint.TinyCheckpoints;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.model.LoraAdapter;
import io.ballast.generator.model.RandomAdapters;
import io.ballast.generator.store.ArtifactMetadata;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.schemas.ModelAction;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.topics.TopicProvisioner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An imported Llama served by the generator, its calibrated versions LoRA adapters: each swap
 * under load puts the new adapter over the weights already in memory, and no request fails.
 */
class AdapterSwapUnderLoadIT {

    record Served(int version) {}

    @Test
    void adapterVersionsSwapOverTheLiveWeightsUnderLoadWithNoFailedRequest(@TempDir Path storeDir) throws Exception {
        // given an imported tiny Llama as v1 and three adapter versions over it, v2..v4
        LocalCluster cluster = LocalCluster.shared();
        new TopicProvisioner(cluster.bootstrapServers(), (short) 1).ensureAll();
        String modelId = "lora-" + UUID.randomUUID().toString().substring(0, 6);
        LocalModelStore store = new LocalModelStore(storeDir);
        Path checkpoint =
                TinyCheckpoints.write(storeDir.resolveSibling(modelId + "-hf"), TinyCheckpoints.Spec.llama(), 9);
        List<ModelArtifact> versions = new ArrayList<>();
        try (LanguageModel base =
                HuggingFaceCheckpoint.load(checkpoint, modelId, 64).model()) {
            ModelArtifact v1 = base.publishTo(store, ArtifactMetadata.Lineage.base("imported", Map.of()));
            versions.add(v1);
            for (int v = 2; v <= 4; v++) {
                LoraAdapter adapter = RandomAdapters.of(base.config(), 2, 4f, 0.2, v)
                        .on(new LoraAdapter.Base(modelId, v1.version(), v1.sha256()));
                try (LanguageModel adapted = base.withAdapter(adapter, v)) {
                    versions.add(adapted.publishTo(
                            store, new ArtifactMetadata.Lineage(1, "job-" + v, List.of(), Map.of(), "lora")));
                }
            }
        }
        // and a generator serving v1, as announced, with four clients requesting continuously
        KafkaProducer<String, ModelUpdate> announcer = GeneratorOnACluster.announcer(cluster);
        ModelUpdates.announce(announcer, ModelUpdates.of(versions.get(0), ModelAction.PROMOTE));
        GeneratorConfig config =
                GeneratorOnACluster.config(cluster, storeDir, modelId, Map.of(GeneratorConfig.QUEUE_CAPACITY, "256"));
        String prompt = BioCorpus.withDefaults().prompt("occupation:registered-nurses", BioCorpus.TRAIN_PROMPTS.get(0));
        ConcurrentLinkedQueue<Served> served = new ConcurrentLinkedQueue<>();
        try (GeneratorApp app = new GeneratorApp(config).start();
                ClientLoad load = ClientLoad.start(
                        app,
                        "occupation:registered-nurses",
                        prompt,
                        4,
                        2,
                        (start, end, r) -> served.add(new Served(r.modelVersion())))) {
            Set<Integer> weights = new HashSet<>();
            weights.add(weightsOf(app));

            // when v2, v3 and v4 are promoted one after another, each once the one before served requests
            for (int v = 2; v <= 4; v++) {
                awaitRequestsServedBy(served, v - 1);
                ModelUpdates.announce(announcer, ModelUpdates.of(versions.get(v - 1), ModelAction.PROMOTE));
                int expected = v;
                await().atMost(Duration.ofSeconds(30)).until(() -> app.slot().currentVersion() == expected);
                weights.add(weightsOf(app));
            }
            awaitRequestsServedBy(served, 4);
            load.close();

            // then no request failed, every version served, and all four ran on the one set of weights loaded at start
            assertThat(load.failures()).isZero();
            assertThat(app.swapFailures()).isZero();
            assertThat(served).extracting(Served::version).contains(1, 2, 3, 4);
            assertThat(weights)
                    .as("identity of the weights each version runs on")
                    .hasSize(1);
            // and each swapped-out version was closed after its last request, the weights staying open
            assertThat(app.slot().closedModels()).isEqualTo(3);
        }
        announcer.close();
    }

    /** Which weights the slot's current version runs on (their identity). */
    private static int weightsOf(GeneratorApp app) {
        try (ModelSlot.Lease lease = app.slot().acquire()) {
            return System.identityHashCode(lease.model().block());
        }
    }

    private static void awaitRequestsServedBy(ConcurrentLinkedQueue<Served> served, int version) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> served.stream().filter(s -> s.version() == version).count() >= 3);
    }
}

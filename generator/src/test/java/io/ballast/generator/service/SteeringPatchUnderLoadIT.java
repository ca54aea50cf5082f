package io.ballast.generator.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ballast.embedded.LocalCluster;
import io.ballast.generator.TinyModels;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.model.SteeringVectors;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.generator.store.SteeringPatch;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.ModelAction;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.registry.SchemaRegistryClient;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.topics.BallastTopic;
import io.ballast.schemas.topics.TopicProvisioner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A steering patch goes on, a tampered one is refused, and a promotion retires it, all under load. */
class SteeringPatchUnderLoadIT {

    record Served(int version, String patch) {}

    @Test
    void givenRequestsUnderLoad_whenAPatchGoesOnAndAPromotionRetiresIt_thenNoRequestFailsAndEveryOutputNamesItsPatch(
            @TempDir Path storeDir) throws Exception {
        // given a store with two versions of a model, and a patch for v1 that pushes gender to male
        LocalCluster cluster = LocalCluster.shared();
        new TopicProvisioner(cluster.bootstrapServers(), (short) 1).ensureAll();
        String modelId = "patch-" + UUID.randomUUID().toString().substring(0, 6);
        LocalModelStore store = new LocalModelStore(storeDir);
        List<ModelArtifact> versions = new ArrayList<>();
        for (int v = 1; v <= 2; v++) {
            versions.add(GeneratorOnACluster.tinyCopy(store, modelId, "copy for the patch test"));
        }
        SteeringVectors male;
        try (LanguageModel lm = TinyModels.loadPublished()) {
            male = TinyModels.steeringTowards(lm, "<gender:male>", 8f);
        }
        SteeringPatch patch = store.publishPatch(modelId, 1, male, List.of("sig-1"), Map.of());
        // and a second patch tampered with after publication
        SteeringPatch tampered = store.publishPatch(modelId, 1, male, List.of(), Map.of());
        Path file = tampered.directory().resolve(SteeringPatch.FILE);
        file.toFile().setWritable(true);
        Files.writeString(file, Files.readString(file).replace("10.0", "-10.0"));

        // and a generator serving v1, as announced, with four clients requesting continuously
        SchemaRegistryClient registry = new SchemaRegistryClient(cluster.registryUrl());
        KafkaProducer<String, ModelUpdate> announcer = GeneratorOnACluster.announcer(cluster);
        ModelUpdates.announce(announcer, ModelUpdates.of(versions.get(0), ModelAction.PROMOTE));
        GeneratorConfig config = GeneratorOnACluster.config(cluster, storeDir, modelId, Map.of());
        String prompt = BioCorpus.withDefaults().prompt("occupation:registered-nurses", BioCorpus.TRAIN_PROMPTS.get(0));
        ConcurrentLinkedQueue<Served> served = new ConcurrentLinkedQueue<>();
        try (GeneratorApp app = new GeneratorApp(config).start();
                ClientLoad load = ClientLoad.start(
                        app,
                        "occupation:registered-nurses",
                        prompt,
                        4,
                        2,
                        (start, end, r) -> served.add(new Served(r.modelVersion(), r.steeringPatch())))) {
            awaitServed(served, 1, null);

            // when the patch is announced
            ModelUpdates.announce(announcer, ModelUpdates.patched(versions.get(0), patch));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> patch.patchId().equals(app.slot().currentPatchId()));
            awaitServed(served, 1, patch.patchId());
            // and then the tampered one
            ModelUpdates.announce(announcer, ModelUpdates.patched(versions.get(0), tampered));
            await().atMost(Duration.ofSeconds(30)).until(() -> app.patchFailures() == 1);
            assertThat(app.slot().currentPatchId()).as("still the good patch").isEqualTo(patch.patchId());
            // and then v2 is promoted
            ModelUpdates.announce(announcer, ModelUpdates.of(versions.get(1), ModelAction.PROMOTE));
            await().atMost(Duration.ofSeconds(30)).until(() -> app.slot().currentVersion() == 2);
            awaitServed(served, 2, null);
            load.close();

            // then no request failed; the patch went on v1 without loading or closing a model, and v2 came unpatched
            assertThat(load.failures()).isZero();
            assertThat(app.slot().history())
                    .extracting(h -> h.version() + "/" + h.patchId())
                    .containsExactly("1/null", "1/" + patch.patchId(), "2/null");
            assertThat(app.slot().closedModels()).isEqualTo(1);
            assertThat(served).extracting(Served::patch).doesNotContain(tampered.patchId());
            assertThat(served)
                    .filteredOn(s -> s.version() == 2)
                    .extracting(Served::patch)
                    .containsOnlyNulls();
        }
        announcer.close();

        // and the outputs in Kafka name their patch, and the patch made them male
        Map<String, int[]> maleOfAll = new HashMap<>();
        try (KafkaConsumer<String, GenerationEvent> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        cluster.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "patch-check-" + modelId,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new StringDeserializer(),
                new AvroDeserializer<>(GenerationEvent.class, registry))) {
            consumer.subscribe(List.of(BallastTopic.GENERATIONS.topicName()));
            int expected = 2 * served.size();
            int seen = 0;
            long deadline = System.currentTimeMillis() + 30_000;
            while (seen < expected && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, GenerationEvent> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value().getModelId().equals(modelId)) {
                        seen++;
                        String key =
                                r.value().getModelVersion() + "/" + r.value().getSteeringPatch();
                        int[] counts = maleOfAll.computeIfAbsent(key, k -> new int[2]);
                        List<String> tokens = r.value().getSteeringTokens();
                        counts[0] += tokens != null && tokens.contains("<gender:male>") ? 1 : 0;
                        counts[1]++;
                    }
                }
            }
            assertThat(seen).isEqualTo(expected);
        }
        assertThat(maleOfAll).containsOnlyKeys("1/null", "1/" + patch.patchId(), "2/null");
        int[] patched = maleOfAll.get("1/" + patch.patchId());
        int[] unpatched = maleOfAll.get("1/null");
        // the tiny model's nurses are mostly female; with the vector along male's head row nearly all male
        assertThat((double) patched[0] / patched[1])
                .as(
                        "male share under the patch, %d of %d; without it %d of %d",
                        patched[0], patched[1], unpatched[0], unpatched[1])
                .isGreaterThan(0.9)
                .isGreaterThan((double) unpatched[0] / unpatched[1] + 0.3);
    }

    /** Until a few requests were served by the version and patch, so the next change happens under load. */
    private static void awaitServed(ConcurrentLinkedQueue<Served> served, int version, String patch) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> served.stream()
                                .filter(s -> s.version() == version && Objects.equals(s.patch(), patch))
                                .count()
                        >= 6);
    }
}

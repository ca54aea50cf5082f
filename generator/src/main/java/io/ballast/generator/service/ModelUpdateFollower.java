package io.ballast.generator.service;

import ai.djl.Device;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.model.LoraAdapter;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.sampling.SamplingParams;
import io.ballast.generator.store.ArtifactIntegrityException;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.generator.store.ModelStore;
import io.ballast.generator.store.SteeringPatch;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.dlq.DeadLetterPublisher;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.topics.BallastTopic;
import io.ballast.schemas.topics.ConsumerLoop;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code ballast.model-updates} (compacted, keyed by model id) and hot-swaps the served
 * model: verify the artifact's SHA-256, load, warm up with one generation, then swap atomically. A
 * PATCH update keeps the weights and puts a steering patch on them (or takes it off) the same way:
 * verify, one steered generation, then swap what new requests get.
 * Any failure keeps the current model serving and is logged and counted; an unexpected failure of
 * the follower itself makes it follow again after a backoff, with {@link #healthy()} false meanwhile.
 */
public final class ModelUpdateFollower implements Runnable, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelUpdateFollower.class);

    private final String modelId;
    private final ModelStore store;
    private final Consumer<byte[], byte[]> consumer;
    private final AvroDeserializer<ModelUpdate> deserializer;
    private final Sampler sampler = new Sampler();
    private final String warmUpPrompt;
    private final Device device;
    private final Counter swapsOk;
    private final Counter swapsFailed;
    private final Counter patchesOk;
    private final Counter patchesFailed;
    private ModelUpdate initial;
    private final ConsumerLoop loop;
    private ModelSlot slot;
    private final Thread thread = new Thread(this, "model-update-follower");

    public ModelUpdateFollower(
            String modelId,
            ModelStore store,
            Consumer<byte[], byte[]> consumer,
            AvroDeserializer<ModelUpdate> deserializer,
            DeadLetterPublisher deadLetters,
            String warmUpPrompt,
            MeterRegistry metrics) {
        this(modelId, store, consumer, deserializer, deadLetters, warmUpPrompt, metrics, LanguageModel.defaultDevice());
    }

    /** Loads every version it serves on {@code device}. */
    public ModelUpdateFollower(
            String modelId,
            ModelStore store,
            Consumer<byte[], byte[]> consumer,
            AvroDeserializer<ModelUpdate> deserializer,
            DeadLetterPublisher deadLetters,
            String warmUpPrompt,
            MeterRegistry metrics,
            Device device) {
        this.device = device;
        this.modelId = modelId;
        this.store = store;
        this.consumer = consumer;
        this.deserializer = deserializer;
        this.warmUpPrompt = warmUpPrompt;
        this.swapsOk =
                Counter.builder("ballast_generator_swaps").tag("outcome", "ok").register(metrics);
        this.swapsFailed = Counter.builder("ballast_generator_swaps")
                .tag("outcome", "failed")
                .register(metrics);
        this.patchesOk = Counter.builder("ballast_generator_patches")
                .tag("outcome", "ok")
                .description("Steering patches put on (or taken off) the live model")
                .register(metrics);
        this.patchesFailed = Counter.builder("ballast_generator_patches")
                .tag("outcome", "failed")
                .register(metrics);
        this.loop = new ConsumerLoop("model-update follower", consumer, deadLetters);
        FunctionCounter.builder("ballast_generator_follower_restarts", loop, ConsumerLoop::restarts)
                .description("Times the model-update follower failed and followed again after a backoff")
                .register(metrics);
        List<TopicPartition> partitions = consumer.partitionsFor(BallastTopic.MODEL_UPDATES.topicName()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /**
     * Reads the topic to its end and loads the version it names for this model, or the store's
     * latest when no update was ever announced.
     */
    public LanguageModel loadInitial() throws Exception {
        ModelUpdate[] announced = {null};
        loop.catchUp(r -> {
            ModelUpdate u = decode(r);
            if (u != null && u.getModelId().equals(modelId)) {
                announced[0] = u;
            }
        });
        ModelUpdate latest = announced[0];
        initial = latest;
        if (latest != null) {
            log.info("model-updates names {} v{} ({})", modelId, latest.getVersion(), latest.getAction());
            return load(store.resolveVerified(URI.create(latest.getArtifactUri()), latest.getSha256()));
        }
        Optional<ModelArtifact> newest = store.latest(modelId);
        ModelArtifact a = newest.orElseThrow(() -> new IllegalStateException("no model '" + modelId
                + "' in the store and none announced on " + BallastTopic.MODEL_UPDATES.topicName()
                + "; run 'ballast model pretrain' first"));
        return load(store.resolveVerified(a.uri(), a.sha256()));
    }

    public void start(ModelSlot servingSlot) {
        this.slot = servingSlot;
        // a patch announced before this generator started is part of the state it must serve
        if (initial != null && initial.getPatch() != null && initial.getVersion() == slot.currentVersion()) {
            applyPatch(initial);
        }
        thread.start();
    }

    @Override
    public void run() {
        loop.run(
                Duration.ofMillis(500),
                r -> {
                    ModelUpdate u = decode(r);
                    if (u == null || !u.getModelId().equals(modelId)) {
                        return;
                    }
                    if (u.getVersion() != slot.currentVersion()) {
                        apply(u);
                    }
                    if (u.getVersion() == slot.currentVersion() && !Objects.equals(patchId(u), slot.currentPatchId())) {
                        applyPatch(u);
                    }
                },
                () -> {});
    }

    /** False while the follower waits to follow again after a failure, or has stopped. */
    public boolean healthy() {
        return loop.healthy();
    }

    /** Verifies, loads and warms the announced version, then swaps; on any failure keeps serving. */
    void apply(ModelUpdate u) {
        long t0 = System.currentTimeMillis();
        try {
            ModelArtifact artifact = store.resolveVerified(URI.create(u.getArtifactUri()), u.getSha256());
            LanguageModel next = load(artifact);
            slot.swap(next);
            swapsOk.increment();
            log.info(
                    "now serving {} v{} ({}, loaded and warmed in {} ms)",
                    modelId,
                    u.getVersion(),
                    u.getAction(),
                    System.currentTimeMillis() - t0);
        } catch (Exception e) {
            swapsFailed.increment();
            log.error(
                    "refused {} v{} ({}): {}; still serving v{}",
                    modelId,
                    u.getVersion(),
                    u.getAction(),
                    e.toString(),
                    slot.currentVersion());
        }
    }

    /**
     * Verifies and reads the announced patch (or none), checks it against the live model with one
     * steered generation, then puts it on the slot; on any failure the current state keeps serving.
     */
    void applyPatch(ModelUpdate u) {
        String id = patchId(u);
        try {
            SteeringPatch patch = null;
            if (u.getPatch() != null) {
                patch = store.resolvePatchVerified(
                        URI.create(u.getPatch().getArtifactUri()), u.getPatch().getSha256());
                if (!patch.patchId().equals(id)
                        || !patch.contents().modelId().equals(modelId)
                        || patch.contents().version() != u.getVersion()) {
                    throw new ArtifactIntegrityException("patch file names "
                            + patch.contents().modelId() + " v"
                            + patch.contents().version() + " " + patch.patchId() + ", the update " + modelId + " v"
                            + u.getVersion() + " " + id);
                }
                try (ModelSlot.Lease lease = slot.acquire();
                        var steering =
                                lease.model().block().steeredBy(patch.contents().steering())) {
                    sampler.generate(
                            lease.model(),
                            warmUpPrompt,
                            1,
                            SamplingParams.defaults().withSeed(0L));
                }
            }
            slot.patch(patch);
            patchesOk.increment();
            log.info("now serving {} v{} with {}", modelId, u.getVersion(), id == null ? "no patch" : "patch " + id);
        } catch (Exception e) {
            patchesFailed.increment();
            log.error(
                    "refused patch {} for {} v{}: {}; still serving {}",
                    id,
                    modelId,
                    u.getVersion(),
                    e.toString(),
                    slot.currentPatchId() == null ? "no patch" : "patch " + slot.currentPatchId());
        }
    }

    private static String patchId(ModelUpdate u) {
        return u.getPatch() == null ? null : u.getPatch().getPatchId();
    }

    private LanguageModel load(ModelArtifact artifact) throws Exception {
        LanguageModel lm = overLiveWeights(artifact);
        if (lm == null) {
            lm = LanguageModel.load(artifact, device);
        }
        try {
            sampler.generate(lm, warmUpPrompt, 1, SamplingParams.defaults().withSeed(0L));
        } catch (RuntimeException e) {
            lm.close();
            throw e;
        }
        return lm;
    }

    /**
     * An adapter version over the weights the slot serves now, sharing them (nothing reloaded), or
     * null when the artifact is not an adapter or names other weights.
     */
    private LanguageModel overLiveWeights(ModelArtifact artifact) throws IOException {
        if (slot == null || !LoraAdapter.isAdapter(artifact.directory())) {
            return null;
        }
        LoraAdapter adapter = LoraAdapter.load(artifact.directory());
        // the base the adapter names must be in the store with the hash it recorded, as a full load requires
        LanguageModel.baseOf(artifact, adapter);
        LoraAdapter.Base base = adapter.base();
        try (ModelSlot.Lease lease = slot.acquire()) {
            LanguageModel live = lease.model();
            if (live.weightsVersion() == base.version() && base.sha256().equals(live.weightsSha256())) {
                log.info(
                        "{} v{} is an adapter over the live weights (v{}): swapping the adapter only",
                        modelId,
                        artifact.version(),
                        base.version());
                return live.withAdapter(adapter, artifact.version());
            }
        }
        return null;
    }

    /** The update in a record, or null for a tombstone; a malformed record throws, and the loop dead-letters it. */
    private ModelUpdate decode(ConsumerRecord<byte[], byte[]> r) {
        return r.value() == null ? null : deserializer.deserialize(r.topic(), r.value());
    }

    public long patchFailures() {
        return (long) patchesFailed.count();
    }

    public long swapFailures() {
        return (long) swapsFailed.count();
    }

    @Override
    public void close() {
        loop.stop();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.ballast.generator.service;

import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.sampling.SamplingParams;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.generator.store.ModelStore;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.dlq.DeadLetterPublisher;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.topics.BallastTopic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code ballast.model-updates} (compacted, keyed by model id) and hot-swaps the served
 * model: verify the artifact's SHA-256, load, warm up with one generation, then swap atomically.
 * Any failure keeps the current model serving and is logged and counted; an unexpected failure of
 * the follower itself makes it follow again after a backoff, with {@link #healthy()} false meanwhile.
 */
public final class ModelUpdateFollower implements Runnable, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelUpdateFollower.class);
    static final Duration INITIAL_BACKOFF = Duration.ofMillis(500);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final String modelId;
    private final ModelStore store;
    private final Consumer<byte[], byte[]> consumer;
    private final AvroDeserializer<ModelUpdate> deserializer;
    private final DeadLetterPublisher deadLetters;
    private final Sampler sampler = new Sampler();
    private final String warmUpPrompt;
    private final Counter swapsOk;
    private final Counter swapsFailed;
    private final Counter restarts;
    private ModelSlot slot;
    private volatile boolean running = true;
    private volatile boolean healthy = true;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread = new Thread(this, "model-update-follower");

    public ModelUpdateFollower(String modelId, ModelStore store, Consumer<byte[], byte[]> consumer,
                               AvroDeserializer<ModelUpdate> deserializer, DeadLetterPublisher deadLetters,
                               String warmUpPrompt, MeterRegistry metrics) {
        this.modelId = modelId;
        this.store = store;
        this.consumer = consumer;
        this.deserializer = deserializer;
        this.deadLetters = deadLetters;
        this.warmUpPrompt = warmUpPrompt;
        this.swapsOk = Counter.builder("ballast_generator_swaps").tag("outcome", "ok").register(metrics);
        this.swapsFailed = Counter.builder("ballast_generator_swaps").tag("outcome", "failed").register(metrics);
        this.restarts = Counter.builder("ballast_generator_follower_restarts")
                .description("Times the model-update follower failed and followed again after a backoff").register(metrics);
        List<TopicPartition> partitions = consumer.partitionsFor(BallastTopic.MODEL_UPDATES.topicName()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /**
     * Reads the topic to its end and loads the version it names for this model, or the store's
     * latest when no update was ever announced.
     */
    public LanguageModel loadInitial() throws Exception {
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
        ModelUpdate latest = null;
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                ModelUpdate u = decode(r);
                if (u != null && u.getModelId().equals(modelId)) {
                    latest = u;
                }
            }
        }
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
        thread.start();
    }

    @Override
    public void run() {
        Duration backoff = INITIAL_BACKOFF;
        try {
            while (running) {
                try {
                    followOnce();
                    healthy = true;
                    backoff = INITIAL_BACKOFF;
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    if (!running) {
                        return;
                    }
                    // a follower that dies silently leaves the generator serving an old version forever
                    // with /health UP: report DOWN, wait, and follow again from the first unhandled record
                    healthy = false;
                    restarts.increment();
                    log.error("model-update follower failed ({}); following again in {} ms", e.toString(), backoff.toMillis(), e);
                    sleep(backoff);
                    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            healthy = false;
            consumer.close();
        }
    }

    /** One poll; on failure every partition of the batch is rewound to its first record not yet handled. */
    private void followOnce() {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
        Map<TopicPartition, Long> unhandled = new HashMap<>();
        for (TopicPartition tp : batch.partitions()) {
            unhandled.put(tp, batch.records(tp).get(0).offset());
        }
        try {
            for (ConsumerRecord<byte[], byte[]> r : batch) {
                ModelUpdate u = decode(r);
                if (u != null && u.getModelId().equals(modelId) && u.getVersion() != slot.currentVersion()) {
                    apply(u);
                }
                unhandled.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
            }
        } catch (RuntimeException e) {
            unhandled.forEach(consumer::seek);
            throw e;
        }
    }

    private void sleep(Duration d) {
        try {
            // returns at once when the follower is closed
            stopped.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** False while the follower is waiting to follow again after a failure, or has stopped. */
    public boolean healthy() {
        return healthy;
    }

    /** Verifies, loads and warms the announced version, then swaps; on any failure keeps serving. */
    void apply(ModelUpdate u) {
        long t0 = System.currentTimeMillis();
        try {
            ModelArtifact artifact = store.resolveVerified(URI.create(u.getArtifactUri()), u.getSha256());
            LanguageModel next = load(artifact);
            slot.swap(next);
            swapsOk.increment();
            log.info("now serving {} v{} ({}, loaded and warmed in {} ms)", modelId, u.getVersion(), u.getAction(),
                    System.currentTimeMillis() - t0);
        } catch (Exception e) {
            swapsFailed.increment();
            log.error("refused {} v{} ({}): {}; still serving v{}", modelId, u.getVersion(), u.getAction(), e.toString(),
                    slot.currentVersion());
        }
    }

    private LanguageModel load(ModelArtifact artifact) throws Exception {
        LanguageModel lm = LanguageModel.load(artifact);
        try {
            sampler.generate(lm, warmUpPrompt, 1, SamplingParams.defaults().withSeed(0L));
        } catch (RuntimeException e) {
            lm.close();
            throw e;
        }
        return lm;
    }

    private ModelUpdate decode(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            return null; // tombstone
        }
        try {
            return deserializer.deserialize(r.topic(), r.value());
        } catch (RuntimeException e) {
            deadLetters.publish(r.topic(), r.partition(), r.offset(), r.key(), r.value(), e);
            return null;
        }
    }

    public long swapFailures() {
        return (long) swapsFailed.count();
    }

    @Override
    public void close() {
        running = false;
        stopped.countDown();
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

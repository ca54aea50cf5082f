package io.ballast.generator.service;

import io.ballast.generator.sampling.Generation;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.sampling.SamplingParams;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SamplingParameters;
import io.ballast.schemas.domain.Occupation;
import io.ballast.schemas.topics.BallastTopic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path every generation takes, from the prompt plan and from HTTP alike: a bounded queue
 * (a full queue rejects at once: backpressure), worker threads that lease the current model,
 * sample, and produce each output as a {@link GenerationEvent} keyed by context. A request
 * completes only when Kafka has acknowledged all its events.
 */
public final class GenerationService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GenerationService.class);

    private final GeneratorConfig config;
    private final ModelSlot slot;
    private final Producer<String, GenerationEvent> producer;
    private final Sampler sampler = new Sampler();
    private final BlockingQueue<GenerationRequest> queue;
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean accepting = true;
    private volatile boolean running = true;

    private final Counter ok;
    private final Counter rejected;
    private final Counter failed;
    private final Counter tokens;
    private final Timer latency;

    public GenerationService(
            GeneratorConfig config, ModelSlot slot, Producer<String, GenerationEvent> producer, MeterRegistry metrics) {
        this.config = config;
        this.slot = slot;
        this.producer = producer;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.ok = Counter.builder("ballast_generator_requests")
                .tag("outcome", "ok")
                .register(metrics);
        this.rejected = Counter.builder("ballast_generator_requests")
                .tag("outcome", "rejected")
                .register(metrics);
        this.failed = Counter.builder("ballast_generator_requests")
                .tag("outcome", "failed")
                .register(metrics);
        this.tokens = Counter.builder("ballast_generator_tokens")
                .description("tokens generated")
                .register(metrics);
        this.latency = Timer.builder("ballast_generator_latency")
                .publishPercentileHistogram()
                .description("request accepted to events acknowledged")
                .register(metrics);
        metrics.gauge("ballast_generator_queue_depth", queue, BlockingQueue::size);
        for (int i = 0; i < config.workers(); i++) {
            Thread t = new Thread(this::work, "generation-worker-" + i);
            workers.add(t);
            t.start();
        }
    }

    /** Queues a request; the future fails with {@link GenerationRequest.RejectedException} if it is not taken. */
    public CompletableFuture<GenerationRequest.Result> submit(
            String contextKey, String promptId, String prompt, int n, SamplingParams sampling) {
        CompletableFuture<GenerationRequest.Result> result = new CompletableFuture<>();
        GenerationRequest request =
                new GenerationRequest(contextKey, promptId, prompt, n, sampling, System.currentTimeMillis(), result);
        if (!accepting) {
            rejected.increment();
            result.completeExceptionally(new GenerationRequest.RejectedException("shutting down"));
        } else if (!queue.offer(request)) {
            rejected.increment();
            result.completeExceptionally(new GenerationRequest.RejectedException(
                    "queue full (" + config.queueCapacity() + " requests): retry later"));
        }
        return result;
    }

    /** Like {@link #submit} but waits up to {@code wait} for room: the prompt plan uses it to slow down. */
    public boolean offer(
            String contextKey, String promptId, String prompt, int n, SamplingParams sampling, Duration wait)
            throws InterruptedException {
        if (!accepting) {
            return false;
        }
        GenerationRequest request = new GenerationRequest(
                contextKey, promptId, prompt, n, sampling, System.currentTimeMillis(), new CompletableFuture<>());
        request.result().whenComplete((r, e) -> {
            if (e != null && !(e instanceof GenerationRequest.RejectedException)) {
                log.warn("planned generation for {} failed: {}", contextKey, e.toString());
            }
        });
        return queue.offer(request, wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    public int queued() {
        return queue.size();
    }

    private void work() {
        while (running || !queue.isEmpty()) {
            GenerationRequest request;
            try {
                request = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (request == null) {
                continue;
            }
            try {
                GenerationRequest.Result result = serve(request);
                ok.increment();
                latency.record(Duration.ofMillis(System.currentTimeMillis() - request.acceptedAtMillis()));
                request.result().complete(result);
            } catch (Exception e) {
                failed.increment();
                log.error("generation for {} failed", request.contextKey(), e);
                request.result().completeExceptionally(e);
            }
        }
    }

    private GenerationRequest.Result serve(GenerationRequest request) throws Exception {
        List<Generation> generations;
        int version;
        String patchId;
        // the lease fixes the version and the patch for the whole request, whatever is swapped meanwhile
        try (ModelSlot.Lease lease = slot.acquire();
                var steering = lease.steering()) {
            version = lease.version();
            patchId = lease.patch() == null ? null : lease.patch().patchId();
            generations = sampler.generate(lease.model(), request.prompt(), request.n(), request.sampling());
        }
        long now = System.currentTimeMillis();
        Map<String, String> context = Occupation.byContextKey(request.contextKey())
                .map(o -> Map.of("occupation", o.title()))
                .orElse(Map.of());
        List<GenerationEvent> events = new ArrayList<>();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (Generation g : generations) {
            GenerationEvent event = GenerationEvent.newBuilder()
                    .setEventId(UUID.randomUUID().toString())
                    .setGeneratorId(config.generatorId())
                    .setModelId(config.modelId())
                    .setModelVersion(version)
                    .setPromptId(request.promptId())
                    .setContextKey(request.contextKey())
                    .setContext(context)
                    .setPromptText(request.prompt())
                    .setSteeringTokens(g.steeringTokens().isEmpty() ? null : g.steeringTokens())
                    .setResponseText(g.text())
                    .setPromptTokens(g.promptTokens())
                    .setResponseTokens(g.responseTokens())
                    .setSampling(SamplingParameters.newBuilder()
                            .setTemperature(request.sampling().temperature())
                            .setTopK(request.sampling().topK())
                            .setTopP(request.sampling().topP())
                            .setSeed(request.sampling().seed())
                            .build())
                    .setProducedAt(Instant.ofEpochMilli(now))
                    .setLatencyMs(now - request.acceptedAtMillis())
                    .setSteeringPatch(patchId)
                    .build();
            events.add(event);
            acks.add(producer.send(
                    new ProducerRecord<>(BallastTopic.GENERATIONS.topicName(), request.contextKey(), event)));
            tokens.increment(g.responseTokens());
        }
        for (Future<RecordMetadata> ack : acks) {
            ack.get(60, TimeUnit.SECONDS);
        }
        return new GenerationRequest.Result(version, patchId, events);
    }

    /**
     * Stops taking requests, lets the workers finish what is queued within the grace period, then
     * rejects whatever is left, explicitly.
     */
    @Override
    public void close() {
        accepting = false;
        long deadline = System.currentTimeMillis() + config.shutdownGraceMillis();
        while (!queue.isEmpty() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<GenerationRequest> left = new ArrayList<>();
        queue.drainTo(left);
        for (GenerationRequest r : left) {
            rejected.increment();
            r.result()
                    .completeExceptionally(
                            new GenerationRequest.RejectedException("shutting down before it was served"));
        }
        running = false;
        for (Thread t : workers) {
            try {
                t.join(Math.max(1000, deadline - System.currentTimeMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!left.isEmpty()) {
            log.info("rejected {} queued requests at shutdown", left.size());
        }
    }
}

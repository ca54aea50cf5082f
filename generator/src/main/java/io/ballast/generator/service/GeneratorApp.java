package io.ballast.generator.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.model.ComputeDevice;
import io.ballast.generator.sampling.SamplingParams;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.runtime.ServiceHttpServer;
import io.ballast.runtime.ServiceHttpServer.Response;
import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.dlq.DeadLetterPublisher;
import io.ballast.schemas.domain.Occupation;
import io.ballast.schemas.registry.SchemaRegistry;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.serde.AvroSerializer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ballast generator}: serves the current model over HTTP and a prompt plan, streams every
 * output to {@code ballast.generations}, and hot-swaps on {@code ballast.model-updates}.
 */
public final class GeneratorApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GeneratorApp.class);

    /** A generation request is a context, a prompt and a few numbers: 64 KiB is generous. */
    static final int MAX_REQUEST_BYTES = 64 * 1024;

    private final GeneratorConfig config;
    private final BioCorpus corpus = BioCorpus.withDefaults();
    private final PrometheusMeterRegistry metrics = ServiceHttpServer.newRegistry();
    private KafkaProducer<String, GenerationEvent> producer;
    private KafkaProducer<String, DeadLetter> dlqProducer;
    private ModelSlot slot;
    private ModelUpdateFollower follower;
    private GenerationService service;
    private PromptPlan plan;
    private ServiceHttpServer http;

    public GeneratorApp(GeneratorConfig config) {
        this.config = config;
    }

    public GeneratorApp start() throws Exception {
        SchemaRegistry registry = SchemaRegistry.forUrl(config.schemaRegistryUrl());
        producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        config.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.LINGER_MS_CONFIG,
                        5,
                        ProducerConfig.CLIENT_ID_CONFIG,
                        config.generatorId()),
                new StringSerializer(),
                new AvroSerializer<>(registry, true, false));
        dlqProducer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        config.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG,
                        "all"),
                new StringSerializer(),
                new AvroSerializer<>(registry, true, false));
        KafkaConsumer<byte[], byte[]> updates = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        config.bootstrapServers(),
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false,
                        ConsumerConfig.CLIENT_ID_CONFIG,
                        config.generatorId() + "-updates"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        String warmUp = corpus.prompt(Occupation.all().get(0).contextKey(), BioCorpus.TRAIN_PROMPTS.get(0));
        follower = new ModelUpdateFollower(
                config.modelId(),
                new LocalModelStore(config.modelStore()),
                updates,
                new AvroDeserializer<>(ModelUpdate.class, registry),
                new DeadLetterPublisher(dlqProducer, "generator"),
                warmUp,
                metrics,
                ComputeDevice.resolve(config.device()));
        slot = new ModelSlot(follower.loadInitial());
        metrics.gauge("ballast_generator_model_version", slot, s -> s.currentVersion());
        follower.start(slot);
        service = new GenerationService(config, slot, producer, metrics);
        plan = new PromptPlan(
                        config.planContexts(),
                        config.planRequestsPerSecond(),
                        config.planSamplesPerRequest(),
                        config.sampling(),
                        service)
                .start();
        http = new ServiceHttpServer(
                config.httpHost(), config.httpPort(), metrics, () -> slot.currentVersion() > 0 && follower.healthy());
        http.route("/generate", exchange -> {
            if (!exchange.getRequestMethod().equals("POST")) {
                return Response.json(405, Map.of("error", "POST a JSON body"));
            }
            return generate(ServiceHttpServer.JSON.readTree(ServiceHttpServer.body(exchange, MAX_REQUEST_BYTES)));
        });
        http.start();
        log.info(
                "generator {} serving {} v{} on http://{}:{}",
                config.generatorId(),
                config.modelId(),
                slot.currentVersion(),
                config.httpHost(),
                http.port());
        return this;
    }

    /** {@code {"context": "...", "prompt"?: "...", "n"?: 1, "temperature"?, "topK"?, "topP"?, "maxTokens"?, "seed"?}} */
    Response generate(JsonNode body) throws InterruptedException {
        String context = body.path("context").asText("");
        if (context.isEmpty()) {
            throw new IllegalArgumentException("'context' is required, e.g. occupation:registered-nurses");
        }
        String prompt = body.hasNonNull("prompt") ? body.get("prompt").asText() : null;
        if (prompt == null) {
            if (Occupation.byContextKey(context).isEmpty()) {
                throw new IllegalArgumentException(
                        "unknown context '" + context + "': give a 'prompt' or a known context key");
            }
            prompt = corpus.prompt(context, BioCorpus.TRAIN_PROMPTS.get(0));
        }
        int n = body.path("n").asInt(1);
        if (n < 1 || n > 64) {
            throw new IllegalArgumentException("'n' must be between 1 and 64");
        }
        SamplingParams d = config.sampling();
        SamplingParams params = new SamplingParams(
                body.path("temperature").asDouble(d.temperature()),
                body.path("topK").asInt(d.topK()),
                body.path("topP").asDouble(d.topP()),
                body.path("maxTokens").asInt(d.maxTokens()),
                body.hasNonNull("seed") ? body.get("seed").asLong() : null);
        try {
            GenerationRequest.Result result =
                    service.submit(context, "http", prompt, n, params).get(120, TimeUnit.SECONDS);
            List<Map<String, Object>> out = new ArrayList<>();
            for (GenerationEvent e : result.events()) {
                out.add(Map.of(
                        "eventId",
                        e.getEventId(),
                        "steeringTokens",
                        e.getSteeringTokens() == null ? List.of() : e.getSteeringTokens(),
                        "text",
                        e.getResponseText()));
            }
            Map<String, Object> reply = new LinkedHashMap<>();
            reply.put("modelId", config.modelId());
            reply.put("modelVersion", result.modelVersion());
            reply.put("steeringPatch", result.steeringPatch());
            reply.put("generations", out);
            return Response.json(200, reply);
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof GenerationRequest.RejectedException r) {
                return Response.json(503, Map.of("error", r.getMessage()));
            }
            return Response.json(500, Map.of("error", String.valueOf(e.getCause())));
        } catch (TimeoutException e) {
            return Response.json(504, Map.of("error", "timed out"));
        }
    }

    public GenerationService service() {
        return service;
    }

    public ModelSlot slot() {
        return slot;
    }

    public int httpPort() {
        return http.port();
    }

    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    public long patchFailures() {
        return follower.patchFailures();
    }

    public long swapFailures() {
        return follower.swapFailures();
    }

    /** Graceful: stop the plan, drain or reject queued work, flush Kafka, stop following, close models. */
    @Override
    public void close() {
        if (plan != null) {
            plan.close();
        }
        if (service != null) {
            service.close();
        }
        if (http != null) {
            http.close();
        }
        if (follower != null) {
            follower.close();
        }
        if (producer != null) {
            producer.close();
        }
        if (dlqProducer != null) {
            dlqProducer.close();
        }
        if (slot != null) {
            slot.close();
        }
        log.info("generator {} stopped", config.generatorId());
    }
}

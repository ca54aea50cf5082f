package io.ballast.generator.service;

import io.ballast.generator.sampling.SamplingParams;
import io.ballast.runtime.ConfigException;
import io.ballast.runtime.ConfigSource;
import io.ballast.schemas.domain.Occupation;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Everything {@code ballast generator} reads, with its defaults, in one place. Keys are
 * properties; each can also be set as an environment variable (upper case, '.' and '-' as '_').
 */
public record GeneratorConfig(
        String bootstrapServers,
        String schemaRegistryUrl,
        Path modelStore,
        String modelId,
        String generatorId,
        String httpHost,
        int httpPort,
        List<String> planContexts,
        double planRequestsPerSecond,
        int planSamplesPerRequest,
        int queueCapacity,
        int workers,
        SamplingParams sampling,
        long shutdownGraceMillis) {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String MODEL_STORE = "ballast.model.store";
    public static final String MODEL_ID = "ballast.model.id";
    public static final String GENERATOR_ID = "ballast.generator.id";
    public static final String HTTP_HOST = "ballast.http.host";
    public static final String HTTP_PORT = "ballast.http.port";
    public static final String PLAN_CONTEXTS = "ballast.plan.contexts";
    public static final String PLAN_RATE = "ballast.plan.requests-per-second";
    public static final String PLAN_SAMPLES = "ballast.plan.samples-per-request";
    public static final String QUEUE_CAPACITY = "ballast.queue.capacity";
    public static final String WORKERS = "ballast.workers";
    public static final String TEMPERATURE = "ballast.sampling.temperature";
    public static final String TOP_K = "ballast.sampling.top-k";
    public static final String TOP_P = "ballast.sampling.top-p";
    public static final String MAX_TOKENS = "ballast.sampling.max-tokens";
    public static final String SHUTDOWN_GRACE_MS = "ballast.shutdown.grace-ms";

    /** Every key this service reads (docker-compose and k8s manifests are checked against it). */
    public static final List<String> KEYS = List.of(BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, MODEL_STORE, MODEL_ID,
            GENERATOR_ID, HTTP_HOST, HTTP_PORT, PLAN_CONTEXTS, PLAN_RATE, PLAN_SAMPLES, QUEUE_CAPACITY, WORKERS,
            TEMPERATURE, TOP_K, TOP_P, MAX_TOKENS, SHUTDOWN_GRACE_MS);

    public static GeneratorConfig from(ConfigSource c) {
        List<String> contexts = parseContexts(c.string(PLAN_CONTEXTS, ""));
        return new GeneratorConfig(
                c.required(BOOTSTRAP_SERVERS),
                c.required(SCHEMA_REGISTRY_URL),
                Path.of(c.string(MODEL_STORE, Path.of(System.getProperty("user.home"), ".ballast", "models").toString())),
                c.string(MODEL_ID, "bios"),
                c.string(GENERATOR_ID, "generator-" + UUID.randomUUID().toString().substring(0, 8)),
                c.string(HTTP_HOST, "127.0.0.1"),
                c.intValue(HTTP_PORT, 8081, 0, 65535),
                contexts,
                c.doubleValue(PLAN_RATE, 2.0, 0, 10_000),
                c.intValue(PLAN_SAMPLES, 4, 1, 64),
                c.intValue(QUEUE_CAPACITY, 64, 1, 100_000),
                c.intValue(WORKERS, 1, 1, 64),
                sampling(c),
                c.longValue(SHUTDOWN_GRACE_MS, 10_000, 0));
    }

    private static SamplingParams sampling(ConfigSource c) {
        double t = c.doubleValue(TEMPERATURE, 1.0, 1e-3, 100);
        int k = c.intValue(TOP_K, 0, 0, 1_000_000);
        double p = c.doubleValue(TOP_P, 1.0, 1e-6, 1.0);
        int max = c.intValue(MAX_TOKENS, 56, 4, 4096);
        return new SamplingParams(t, k, p, max, null);
    }

    /** "all", empty, or a comma-separated list of known context keys. */
    static List<String> parseContexts(String value) {
        if (value.isBlank()) {
            return List.of();
        }
        if (value.equals("all")) {
            return Occupation.all().stream().map(Occupation::contextKey).toList();
        }
        List<String> contexts = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String ctx : contexts) {
            if (Occupation.byContextKey(ctx).isEmpty()) {
                throw new ConfigException(PLAN_CONTEXTS, ctx, "is not a known context key (e.g. occupation:registered-nurses)");
            }
        }
        return contexts;
    }
}

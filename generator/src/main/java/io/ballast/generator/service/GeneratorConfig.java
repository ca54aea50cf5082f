package io.ballast.generator.service;

import io.ballast.generator.model.ComputeDevice;
import io.ballast.generator.sampling.SamplingParams;
import io.ballast.runtime.CommonSettings;
import io.ballast.runtime.ConfigException;
import io.ballast.runtime.ConfigSource;
import io.ballast.runtime.Setting;
import io.ballast.schemas.domain.Occupation;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Everything {@code ballast generator} reads. Keys are properties; each can also be set as an environment variable
 * (upper case, '.' and '-' as '_'). Defaults, ranges and meanings are in the {@link #SETTINGS} descriptors.
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
        long shutdownGraceMillis,
        ComputeDevice.Choice device) {

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
    public static final String DEVICE = ComputeDevice.KEY;

    /** Every key this service reads, in the order --help and docs/operations.md list them. */
    public static final List<Setting<?>> SETTINGS = List.of(
            Keys.BOOTSTRAP_SERVERS,
            Keys.SCHEMA_REGISTRY_URL,
            Keys.MODEL_STORE,
            Keys.MODEL_ID,
            Keys.GENERATOR_ID,
            Keys.HTTP_HOST,
            Keys.HTTP_PORT,
            Keys.PLAN_CONTEXTS,
            Keys.PLAN_RATE,
            Keys.PLAN_SAMPLES,
            Keys.QUEUE_CAPACITY,
            Keys.WORKERS,
            Keys.TEMPERATURE,
            Keys.TOP_K,
            Keys.TOP_P,
            Keys.MAX_TOKENS,
            Keys.SHUTDOWN_GRACE_MS,
            Keys.DEVICE);

    /** Every key this service reads (docker-compose and k8s manifests are checked against it). */
    public static final List<String> KEYS = Setting.keys(SETTINGS);

    public static GeneratorConfig from(ConfigSource c) {
        List<String> contexts = parseContexts(Keys.PLAN_CONTEXTS.read(c));
        String generatorId = Keys.GENERATOR_ID.read(c);
        return new GeneratorConfig(
                Keys.BOOTSTRAP_SERVERS.read(c),
                Keys.SCHEMA_REGISTRY_URL.read(c),
                Keys.MODEL_STORE.read(c),
                Keys.MODEL_ID.read(c),
                generatorId != null
                        ? generatorId
                        : "generator-" + UUID.randomUUID().toString().substring(0, 8),
                Keys.HTTP_HOST.read(c),
                Keys.HTTP_PORT.read(c),
                contexts,
                Keys.PLAN_RATE.read(c),
                Keys.PLAN_SAMPLES.read(c),
                Keys.QUEUE_CAPACITY.read(c),
                Keys.WORKERS.read(c),
                sampling(c),
                Keys.SHUTDOWN_GRACE_MS.read(c),
                Keys.DEVICE.read(c));
    }

    private static SamplingParams sampling(ConfigSource c) {
        return new SamplingParams(
                Keys.TEMPERATURE.read(c), Keys.TOP_K.read(c), Keys.TOP_P.read(c), Keys.MAX_TOKENS.read(c), null);
    }

    /** "all", empty, or a comma-separated list of known context keys. */
    static List<String> parseContexts(String value) {
        if (value.isBlank()) {
            return List.of();
        }
        if (value.equals("all")) {
            return Occupation.all().stream().map(Occupation::contextKey).toList();
        }
        List<String> contexts = Arrays.stream(value.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
        for (String ctx : contexts) {
            if (Occupation.byContextKey(ctx).isEmpty()) {
                throw new ConfigException(
                        PLAN_CONTEXTS, ctx, "is not a known context key (e.g. occupation:registered-nurses)");
            }
        }
        return contexts;
    }

    /** The descriptors: each key's default, allowed values and meaning live here and nowhere else. */
    private static final class Keys {
        static final Setting<String> BOOTSTRAP_SERVERS = CommonSettings.BOOTSTRAP_SERVERS;
        static final Setting<String> SCHEMA_REGISTRY_URL = CommonSettings.SCHEMA_REGISTRY_URL;
        static final Setting<Path> MODEL_STORE = CommonSettings.MODEL_STORE;
        static final Setting<String> MODEL_ID =
                Setting.text(GeneratorConfig.MODEL_ID, "bios", "the model in the store to serve");
        static final Setting<String> GENERATOR_ID = Setting.optional(
                GeneratorConfig.GENERATOR_ID,
                "generator-<random>",
                "this instance's id, written on every generation event");
        static final Setting<String> HTTP_HOST = CommonSettings.HTTP_HOST;
        static final Setting<Integer> HTTP_PORT = CommonSettings.httpPort(8081);
        static final Setting<String> PLAN_CONTEXTS = Setting.text(
                        GeneratorConfig.PLAN_CONTEXTS,
                        "",
                        "contexts the built-in prompt plan generates for (none: only POST /generate)")
                .accepting("all, or context keys separated by commas");
        static final Setting<Double> PLAN_RATE = Setting.decimal(
                GeneratorConfig.PLAN_RATE, 2.0, 0, 10_000, "prompt-plan requests per second, over all contexts");
        static final Setting<Integer> PLAN_SAMPLES =
                Setting.integer(GeneratorConfig.PLAN_SAMPLES, 4, 1, 64, "responses sampled per prompt-plan request");
        static final Setting<Integer> QUEUE_CAPACITY = Setting.integer(
                GeneratorConfig.QUEUE_CAPACITY,
                64,
                1,
                100_000,
                "requests waiting for a worker; beyond it POST /generate answers 503 (backpressure)");
        static final Setting<Integer> WORKERS =
                Setting.integer(GeneratorConfig.WORKERS, 1, 1, 64, "threads sampling from the model");
        static final Setting<Double> TEMPERATURE =
                Setting.decimal(GeneratorConfig.TEMPERATURE, 1.0, 1e-3, 100, "sampling temperature");
        static final Setting<Integer> TOP_K = Setting.integer(
                GeneratorConfig.TOP_K, 0, 0, 1_000_000, "sample from the k most likely tokens only (0: no limit)");
        static final Setting<Double> TOP_P = Setting.decimal(
                GeneratorConfig.TOP_P,
                1.0,
                1e-6,
                1.0,
                "nucleus sampling: the smallest token set with this much probability (1: no limit)");
        static final Setting<Integer> MAX_TOKENS =
                Setting.integer(GeneratorConfig.MAX_TOKENS, 56, 4, 4096, "longest generated text, in tokens");
        static final Setting<Long> SHUTDOWN_GRACE_MS = Setting.longInteger(
                GeneratorConfig.SHUTDOWN_GRACE_MS,
                10_000,
                0,
                "on stop, how long queued requests may still finish, in milliseconds");
        static final Setting<ComputeDevice.Choice> DEVICE = ComputeDevice.SETTING;
    }
}

package io.ballast.calibrator;

import io.ballast.calibrator.training.CalibrationLoss;
import io.ballast.runtime.ConfigSource;
import java.nio.file.Path;
import java.util.List;

/** Everything {@code ballast calibrator} reads, with its defaults, in one place. */
public record CalibratorConfig(String bootstrapServers, String schemaRegistryUrl, Path modelStore, Path workDir, String groupId,
                               String httpHost, int httpPort, long coalesceMillis, long minIntervalMillis,
                               CalibrationSettings settings) {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String MODEL_STORE = "ballast.model.store";
    public static final String WORK_DIR = "ballast.calibrator.work-dir";
    public static final String GROUP_ID = "ballast.calibrator.group-id";
    public static final String HTTP_HOST = "ballast.http.host";
    public static final String HTTP_PORT = "ballast.http.port";
    public static final String COALESCE_SECONDS = "ballast.calibrator.coalesce-seconds";
    public static final String MIN_INTERVAL_SECONDS = "ballast.calibrator.min-interval-seconds";
    public static final String METHOD = "ballast.calibrator.method";
    public static final String STEPS = "ballast.calibrator.steps";
    public static final String LEARNING_RATE = "ballast.calibrator.learning-rate";
    public static final String BETA = "ballast.calibrator.kto.beta";
    public static final String LAMBDA_D = "ballast.calibrator.kto.lambda-desirable";
    public static final String LAMBDA_U = "ballast.calibrator.kto.lambda-undesirable";
    public static final String LAMBDA_KL = "ballast.calibrator.lambda-kl";
    public static final String RESPONSES_PER_PROMPT = "ballast.calibrator.responses-per-prompt";
    public static final String EVALUATION_SAMPLES = "ballast.calibrator.evaluation-samples";
    public static final String IMPROVEMENT_MARGIN = "ballast.calibrator.gate.improvement-margin";
    public static final String MIN_CONSISTENCY = "ballast.calibrator.gate.min-consistency";
    public static final String MAX_PERPLEXITY_RATIO = "ballast.calibrator.gate.max-perplexity-ratio";

    public static final List<String> KEYS = List.of(BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, MODEL_STORE, WORK_DIR, GROUP_ID, HTTP_HOST,
            HTTP_PORT, COALESCE_SECONDS, MIN_INTERVAL_SECONDS, METHOD, STEPS, LEARNING_RATE, BETA, LAMBDA_D, LAMBDA_U, LAMBDA_KL,
            RESPONSES_PER_PROMPT, EVALUATION_SAMPLES, IMPROVEMENT_MARGIN, MIN_CONSISTENCY, MAX_PERPLEXITY_RATIO);

    public static CalibratorConfig from(ConfigSource c) {
        return new CalibratorConfig(
                c.required(BOOTSTRAP_SERVERS),
                c.required(SCHEMA_REGISTRY_URL),
                Path.of(c.string(MODEL_STORE, Path.of(System.getProperty("user.home"), ".ballast", "models").toString())),
                Path.of(c.string(WORK_DIR, Path.of(System.getProperty("user.home"), ".ballast", "calibrator").toString())),
                c.string(GROUP_ID, "ballast-calibrator"),
                c.string(HTTP_HOST, "127.0.0.1"),
                c.intValue(HTTP_PORT, 8083, 0, 65535),
                c.longValue(COALESCE_SECONDS, 10, 0) * 1000,
                c.longValue(MIN_INTERVAL_SECONDS, 60, 0) * 1000,
                settings(c));
    }

    /** Calibration settings from keys, the defaults of {@link CalibrationSettings#defaults()} where unset. */
    public static CalibrationSettings settings(ConfigSource c) {
        CalibrationSettings d = CalibrationSettings.defaults();
        String method = c.string(METHOD, d.method().name());
        CalibrationSettings.Method m;
        try {
            m = CalibrationSettings.Method.valueOf(method.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new io.ballast.runtime.ConfigException(METHOD, method, "must be kl_kto, ift or dpo");
        }
        CalibrationLoss.Weights w = new CalibrationLoss.Weights(
                c.doubleValue(BETA, d.training().weights().beta(), 1e-6, 100),
                c.doubleValue(LAMBDA_D, d.training().weights().lambdaDesirable(), 0, 100),
                c.doubleValue(LAMBDA_U, d.training().weights().lambdaUndesirable(), 0, 100),
                c.doubleValue(LAMBDA_KL, d.training().weights().lambdaKl(), 0, 1000));
        return d.withMethod(m)
                .withSet(s -> s.withResponsesPerPrompt(c.intValue(RESPONSES_PER_PROMPT, s.responsesPerPrompt(), 2, 1024)))
                .withTraining(t -> t.withWeights(w)
                        .withSteps(c.intValue(STEPS, t.steps(), 1, 1_000_000))
                        .withLearningRate((float) c.doubleValue(LEARNING_RATE, t.learningRate(), 1e-9, 1)))
                .withGate(g -> g.withEvaluationSamples(c.intValue(EVALUATION_SAMPLES, g.evaluationSamples(), 10, 100_000))
                        .withImprovementMargin(c.doubleValue(IMPROVEMENT_MARGIN, g.improvementMargin(), 0, 1))
                        .withMinConsistency(c.doubleValue(MIN_CONSISTENCY, g.minConsistency(), 0, 1))
                        .withMaxPerplexityRatio(c.doubleValue(MAX_PERPLEXITY_RATIO, g.maxPerplexityRatio(), 1, 100)));
    }
}

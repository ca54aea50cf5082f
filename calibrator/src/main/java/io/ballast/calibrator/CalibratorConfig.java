package io.ballast.calibrator;

import io.ballast.calibrator.jobs.ConstraintJob;
import io.ballast.calibrator.jobs.DriftCoalescer;
import io.ballast.calibrator.jobs.SteeringPatchJob;
import io.ballast.calibrator.steering.SteeringVectorFit;
import io.ballast.calibrator.training.CalibrationLoss;
import io.ballast.classifiers.ClassifierCatalog;
import io.ballast.classifiers.ClassifierSettings;
import io.ballast.generator.model.ComputeDevice;
import io.ballast.generator.model.LoraAdapter;
import io.ballast.runtime.CommonSettings;
import io.ballast.runtime.ConfigSource;
import io.ballast.runtime.Setting;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Everything {@code ballast calibrator} reads; defaults, ranges and meanings are in the {@link #SETTINGS} descriptors. */
public record CalibratorConfig(
        String bootstrapServers,
        String schemaRegistryUrl,
        Path modelStore,
        Path workDir,
        String groupId,
        String httpHost,
        int httpPort,
        long coalesceMillis,
        long minIntervalMillis,
        DriftCoalescer.RetryPolicy retry,
        CalibrationSettings settings,
        long patchSettleMillis,
        SteeringPatchJob.Settings patches,
        ConstraintJob.Settings constraints,
        ComputeDevice.Choice device,
        ClassifierCatalog.Choice classifiers) {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String MODEL_STORE = "ballast.model.store";
    public static final String WORK_DIR = "ballast.calibrator.work-dir";
    public static final String GROUP_ID = "ballast.calibrator.group-id";
    public static final String HTTP_HOST = "ballast.http.host";
    public static final String HTTP_PORT = "ballast.http.port";
    public static final String COALESCE_SECONDS = "ballast.calibrator.coalesce-seconds";
    public static final String MIN_INTERVAL_SECONDS = "ballast.calibrator.min-interval-seconds";
    public static final String MAX_ATTEMPTS = "ballast.calibrator.retry.max-attempts";
    public static final String RETRY_BACKOFF_SECONDS = "ballast.calibrator.retry.backoff-seconds";
    public static final String METHOD = "ballast.calibrator.method";
    public static final String EPOCHS = "ballast.calibrator.epochs";
    public static final String LEARNING_RATE = "ballast.calibrator.learning-rate";
    public static final String BETA = "ballast.calibrator.kto.beta";
    public static final String LAMBDA_D = "ballast.calibrator.kto.lambda-desirable";
    public static final String LAMBDA_U = "ballast.calibrator.kto.lambda-undesirable";
    public static final String LAMBDA_KL = "ballast.calibrator.lambda-kl";
    public static final String LAMBDA_ANCHOR = "ballast.calibrator.lambda-anchor";
    public static final String ANCHOR_RESPONSES = "ballast.calibrator.anchor-responses";
    public static final String RESPONSES_PER_PROMPT = "ballast.calibrator.responses-per-prompt";
    public static final String PROMPTS_PER_CONTEXT = "ballast.calibrator.prompts-per-context";
    public static final String TRAINABLE_BLOCKS = "ballast.calibrator.trainable-blocks";
    public static final String LORA_RANK = "ballast.calibrator.lora.rank";
    public static final String LORA_ALPHA = "ballast.calibrator.lora.alpha";
    public static final String LORA_TARGETS = "ballast.calibrator.lora.targets";
    public static final String LORA_LEARNING_RATE = "ballast.calibrator.lora.learning-rate";
    public static final String PROMPT_WORD_DROPOUT = "ballast.calibrator.prompt-word-dropout";
    public static final String HEALTHY_CONTEXTS = "ballast.calibrator.healthy-contexts";
    public static final String EVALUATION_SAMPLES = "ballast.calibrator.evaluation-samples";
    public static final String IMPROVEMENT_MARGIN = "ballast.calibrator.gate.improvement-margin";
    public static final String HEALTHY_TOLERANCE = "ballast.calibrator.gate.healthy-tolerance";
    public static final String MIN_CONSISTENCY = "ballast.calibrator.gate.min-consistency";
    public static final String MAX_PERPLEXITY_RATIO = "ballast.calibrator.gate.max-perplexity-ratio";
    public static final String PATCH_EPOCHS = "ballast.calibrator.patch.epochs";
    public static final String PATCH_RESPONSES_PER_PROMPT = "ballast.calibrator.patch.responses-per-prompt";
    public static final String PATCH_SETTLE_SECONDS = "ballast.calibrator.patch.settle-seconds";
    public static final String PATCH_HEALTHY_CONTEXTS = "ballast.calibrator.patch.healthy-contexts";
    public static final String PATCH_GATE_HIDDEN = "ballast.calibrator.patch.gate-hidden";
    public static final String PATCH_PRESERVATION = "ballast.calibrator.patch.preservation";
    public static final String CONSTRAINT_LAMBDA = "ballast.calibrator.constraint.lambda";
    public static final String CONSTRAINT_SAMPLES_PER_CONTEXT = "ballast.calibrator.constraint.samples-per-context";
    public static final String CONSTRAINT_EPOCHS = "ballast.calibrator.constraint.epochs";
    public static final String CONSTRAINT_TRAINABLE_BLOCKS = "ballast.calibrator.constraint.trainable-blocks";
    public static final String DEVICE = ComputeDevice.KEY;

    /** Every key this service reads, in the order --help and docs/operations.md list them. */
    public static final List<Setting<?>> SETTINGS = java.util.stream.Stream.concat(
                    java.util.stream.Stream.of(
                            Keys.BOOTSTRAP_SERVERS,
                            Keys.SCHEMA_REGISTRY_URL,
                            Keys.MODEL_STORE,
                            Keys.WORK_DIR,
                            Keys.GROUP_ID,
                            Keys.HTTP_HOST,
                            Keys.HTTP_PORT,
                            Keys.COALESCE_SECONDS,
                            Keys.MIN_INTERVAL_SECONDS,
                            Keys.MAX_ATTEMPTS,
                            Keys.RETRY_BACKOFF_SECONDS,
                            Keys.METHOD,
                            Keys.EPOCHS,
                            Keys.LEARNING_RATE,
                            Keys.BETA,
                            Keys.LAMBDA_D,
                            Keys.LAMBDA_U,
                            Keys.LAMBDA_KL,
                            Keys.LAMBDA_ANCHOR,
                            Keys.ANCHOR_RESPONSES,
                            Keys.RESPONSES_PER_PROMPT,
                            Keys.PROMPTS_PER_CONTEXT,
                            Keys.TRAINABLE_BLOCKS,
                            Keys.LORA_RANK,
                            Keys.LORA_ALPHA,
                            Keys.LORA_TARGETS,
                            Keys.LORA_LEARNING_RATE,
                            Keys.PROMPT_WORD_DROPOUT,
                            Keys.HEALTHY_CONTEXTS,
                            Keys.EVALUATION_SAMPLES,
                            Keys.IMPROVEMENT_MARGIN,
                            Keys.HEALTHY_TOLERANCE,
                            Keys.MIN_CONSISTENCY,
                            Keys.MAX_PERPLEXITY_RATIO,
                            Keys.PATCH_EPOCHS,
                            Keys.PATCH_RESPONSES_PER_PROMPT,
                            Keys.PATCH_SETTLE_SECONDS,
                            Keys.PATCH_HEALTHY_CONTEXTS,
                            Keys.PATCH_GATE_HIDDEN,
                            Keys.PATCH_PRESERVATION,
                            Keys.CONSTRAINT_LAMBDA,
                            Keys.CONSTRAINT_SAMPLES_PER_CONTEXT,
                            Keys.CONSTRAINT_EPOCHS,
                            Keys.CONSTRAINT_TRAINABLE_BLOCKS,
                            Keys.DEVICE),
                    ClassifierSettings.SETTINGS.stream())
            .toList();

    /** Every key this service reads (docker-compose and k8s manifests are checked against it). */
    public static final List<String> KEYS = Setting.keys(SETTINGS);

    public static CalibratorConfig from(ConfigSource c) {
        return new CalibratorConfig(
                Keys.BOOTSTRAP_SERVERS.read(c),
                Keys.SCHEMA_REGISTRY_URL.read(c),
                Keys.MODEL_STORE.read(c),
                Keys.WORK_DIR.read(c),
                Keys.GROUP_ID.read(c),
                Keys.HTTP_HOST.read(c),
                Keys.HTTP_PORT.read(c),
                Keys.COALESCE_SECONDS.read(c) * 1000,
                Keys.MIN_INTERVAL_SECONDS.read(c) * 1000,
                new DriftCoalescer.RetryPolicy(Keys.MAX_ATTEMPTS.read(c), Keys.RETRY_BACKOFF_SECONDS.read(c) * 1000),
                settings(c),
                Keys.PATCH_SETTLE_SECONDS.read(c) * 1000,
                new SteeringPatchJob.Settings(
                        Keys.PATCH_EPOCHS.read(c),
                        Keys.PATCH_RESPONSES_PER_PROMPT.read(c),
                        Keys.PATCH_HEALTHY_CONTEXTS.read(c),
                        Keys.PATCH_GATE_HIDDEN.read(c),
                        Keys.PATCH_PRESERVATION.read(c)),
                new ConstraintJob.Settings(
                        Keys.CONSTRAINT_LAMBDA.read(c),
                        Keys.CONSTRAINT_SAMPLES_PER_CONTEXT.read(c),
                        Keys.CONSTRAINT_EPOCHS.read(c),
                        Keys.CONSTRAINT_TRAINABLE_BLOCKS.read(c)),
                Keys.DEVICE.read(c),
                ClassifierCatalog.Choice.read(c));
    }

    /** Whether drift gets a steering patch before its fine-tuning job ends. */
    public boolean patching() {
        return patches.epochs() > 0;
    }

    /** Calibration settings from keys, the defaults of {@link CalibrationSettings#defaults()} where unset. */
    public static CalibrationSettings settings(ConfigSource c) {
        CalibrationSettings d = CalibrationSettings.defaults();
        CalibrationLoss.Weights w = new CalibrationLoss.Weights(
                Keys.BETA.read(c),
                Keys.LAMBDA_D.read(c),
                Keys.LAMBDA_U.read(c),
                Keys.LAMBDA_KL.read(c),
                Keys.LAMBDA_ANCHOR.read(c));
        return d.withMethod(Keys.METHOD.read(c))
                .withSet(s -> s.withResponsesPerPrompt(Keys.RESPONSES_PER_PROMPT.read(c))
                        .withPromptsPerContext(Keys.PROMPTS_PER_CONTEXT.read(c))
                        .withPromptWordDropout(Keys.PROMPT_WORD_DROPOUT.read(c))
                        .withHealthyContexts(Keys.HEALTHY_CONTEXTS.read(c))
                        .withAnchorResponses(Keys.ANCHOR_RESPONSES.read(c)))
                .withTraining(t -> t.withWeights(w)
                        .withEpochs(Keys.EPOCHS.read(c))
                        .withTrainableBlocks(Keys.TRAINABLE_BLOCKS.read(c))
                        .withLearningRate(Keys.LEARNING_RATE.read(c).floatValue()))
                .withLowRank(l -> l.withRank(Keys.LORA_RANK.read(c))
                        .withAlpha(Keys.LORA_ALPHA.read(c).floatValue())
                        .withTargets(Keys.LORA_TARGETS.read(c))
                        .withLearningRate(Keys.LORA_LEARNING_RATE.read(c).floatValue()))
                .withGate(g -> g.withEvaluationSamples(Keys.EVALUATION_SAMPLES.read(c))
                        .withImprovementMargin(Keys.IMPROVEMENT_MARGIN.read(c))
                        .withHealthyTolerance(Keys.HEALTHY_TOLERANCE.read(c))
                        .withMinConsistency(Keys.MIN_CONSISTENCY.read(c))
                        .withMaxPerplexityRatio(Keys.MAX_PERPLEXITY_RATIO.read(c)));
    }

    /**
     * The descriptors: each key's allowed values and meaning live here, its default comes from
     * {@link CalibrationSettings#defaults()} (which benches and experiments use directly).
     */
    private static final class Keys {
        private static final CalibrationSettings D = CalibrationSettings.defaults();

        static final Setting<String> BOOTSTRAP_SERVERS = CommonSettings.BOOTSTRAP_SERVERS;
        static final Setting<String> SCHEMA_REGISTRY_URL = CommonSettings.SCHEMA_REGISTRY_URL;
        static final Setting<Path> MODEL_STORE = CommonSettings.MODEL_STORE;
        static final Setting<Path> WORK_DIR = Setting.path(
                CalibratorConfig.WORK_DIR,
                () -> Path.of(System.getProperty("user.home"), ".ballast", "calibrator"),
                "~/.ballast/calibrator",
                "where jobs keep calibration sets and checkpoints (a restarted job resumes from them)");
        static final Setting<String> GROUP_ID = Setting.text(
                CalibratorConfig.GROUP_ID, "ballast-calibrator", "Kafka consumer group reading drift signals");
        static final Setting<String> HTTP_HOST = CommonSettings.HTTP_HOST;
        static final Setting<Integer> HTTP_PORT = CommonSettings.httpPort(8083);
        static final Setting<Long> COALESCE_SECONDS = Setting.longInteger(
                CalibratorConfig.COALESCE_SECONDS,
                10,
                0,
                "drift signals for one model arriving within this many seconds make one job");
        static final Setting<Long> MIN_INTERVAL_SECONDS = Setting.longInteger(
                CalibratorConfig.MIN_INTERVAL_SECONDS,
                60,
                0,
                "seconds at least between the end of a model's job and the start of its next");
        static final Setting<Integer> MAX_ATTEMPTS = Setting.integer(
                CalibratorConfig.MAX_ATTEMPTS,
                3,
                1,
                100,
                "calibration attempts for one drift (a REJECTED or FAILED job is retried with another seed) before it is "
                        + "escalated to the operator");
        static final Setting<Long> RETRY_BACKOFF_SECONDS = Setting.longInteger(
                CalibratorConfig.RETRY_BACKOFF_SECONDS,
                120,
                0,
                "pause before the first retry of a failed calibration; it doubles with each further retry");
        static final Setting<CalibrationSettings.Method> METHOD = Setting.choice(
                CalibratorConfig.METHOD,
                CalibrationSettings.Method.class,
                D.method(),
                "training method: KL-regularised KTO, or the IFT and DPO baselines");
        static final Setting<Integer> PROMPTS_PER_CONTEXT = Setting.integer(
                CalibratorConfig.PROMPTS_PER_CONTEXT,
                D.set().promptsPerContext(),
                1,
                1_000,
                "training prompts per context in the calibration set (the training phrasings cycle)");
        static final Setting<Double> PROMPT_WORD_DROPOUT = Setting.decimal(
                CalibratorConfig.PROMPT_WORD_DROPOUT,
                D.set().promptWordDropout(),
                0,
                1,
                "share of calibration rows whose prompt is made noisy (phrasing words replaced by the unknown token or a random word, one inserted)");
        static final Setting<Integer> HEALTHY_CONTEXTS = Setting.integer(
                CalibratorConfig.HEALTHY_CONTEXTS,
                D.set().healthyContexts(),
                0,
                1000,
                "contexts that did not drift, added to a job's calibration set (at their targets) and checked by its"
                        + " gate: the job must not move them");
        static final Setting<Integer> TRAINABLE_BLOCKS = Setting.integer(
                CalibratorConfig.TRAINABLE_BLOCKS,
                D.training().trainableBlocks(),
                0,
                1_000,
                "fine-tune only the top N decoder blocks, final norm and head (0: every parameter)");
        static final Setting<Integer> LORA_RANK = Setting.integer(
                CalibratorConfig.LORA_RANK,
                D.lowRank().rank(),
                1,
                1_024,
                "rank of the LoRA adapters trained for an imported (Llama/Qwen2) model");
        static final Setting<Double> LORA_ALPHA = Setting.decimal(
                CalibratorConfig.LORA_ALPHA,
                D.lowRank().alpha(),
                1e-6,
                1e6,
                "LoRA alpha: the adapters' output is scaled by alpha / rank");
        static final Setting<Set<String>> LORA_TARGETS = Setting.list(
                        CalibratorConfig.LORA_TARGETS,
                        LoraAdapter.PROJECTIONS,
                        D.lowRank().targets(),
                        "projections the LoRA adapters train, comma-separated")
                .shownAs("q_proj,v_proj");
        static final Setting<Double> LORA_LEARNING_RATE = Setting.decimal(
                CalibratorConfig.LORA_LEARNING_RATE,
                D.lowRank().learningRate(),
                1e-9,
                1,
                "Adam's peak learning rate for LoRA adapters (imported models)");
        static final Setting<Integer> EPOCHS = Setting.integer(
                CalibratorConfig.EPOCHS, D.training().epochs(), 1, 10_000, "passes over the calibration set per job");
        static final Setting<Double> LEARNING_RATE = Setting.decimal(
                CalibratorConfig.LEARNING_RATE, D.training().learningRate(), 1e-9, 1, "optimizer learning rate");
        static final Setting<Double> BETA = Setting.decimal(
                CalibratorConfig.BETA,
                D.training().weights().beta(),
                1e-6,
                100,
                "KTO beta: scale of the reward inside the loss's sigmoid");
        static final Setting<Double> LAMBDA_D = Setting.decimal(
                CalibratorConfig.LAMBDA_D,
                D.training().weights().lambdaDesirable(),
                0,
                100,
                "KTO weight of desirable responses");
        static final Setting<Double> LAMBDA_U = Setting.decimal(
                CalibratorConfig.LAMBDA_U,
                D.training().weights().lambdaUndesirable(),
                0,
                100,
                "KTO weight of undesirable responses");
        static final Setting<Double> LAMBDA_KL = Setting.decimal(
                CalibratorConfig.LAMBDA_KL,
                D.training().weights().lambdaKl(),
                0,
                1000,
                "weight of the steering-token KL term pulling each steering position onto its target");
        static final Setting<Double> LAMBDA_ANCHOR = Setting.decimal(
                CalibratorConfig.LAMBDA_ANCHOR,
                D.training().weights().lambdaAnchor(),
                0,
                1000,
                "weight of the anchor: KL(reference || model) over the anchor rows' text");
        static final Setting<Integer> ANCHOR_RESPONSES = Setting.integer(
                CalibratorConfig.ANCHOR_RESPONSES,
                D.set().anchorResponses(),
                0,
                1000,
                "the model's own responses per occupation outside the job that the anchor holds (0 = none)");
        static final Setting<Integer> RESPONSES_PER_PROMPT = Setting.integer(
                CalibratorConfig.RESPONSES_PER_PROMPT,
                D.set().responsesPerPrompt(),
                2,
                1024,
                "responses sampled per training prompt for the calibration set");
        static final Setting<Integer> EVALUATION_SAMPLES = Setting.integer(
                CalibratorConfig.EVALUATION_SAMPLES,
                D.gate().evaluationSamples(),
                10,
                100_000,
                "responses per context per model when the gate evaluates");
        static final Setting<Double> IMPROVEMENT_MARGIN = Setting.decimal(
                CalibratorConfig.IMPROVEMENT_MARGIN,
                D.gate().improvementMargin(),
                0,
                1,
                "gate: the paired 95% interval of the drifted contexts' mean MAE change must lie wholly below minus this");
        static final Setting<Double> HEALTHY_TOLERANCE = Setting.decimal(
                CalibratorConfig.HEALTHY_TOLERANCE,
                D.gate().healthyTolerance(),
                0,
                1,
                "gate: how far a healthy context's MAE (or a constraint job's served steering probability) may move");
        static final Setting<Double> MIN_CONSISTENCY = Setting.decimal(
                CalibratorConfig.MIN_CONSISTENCY,
                D.gate().minConsistency(),
                0,
                1,
                "gate: the candidate's semantic-consistency rate must reach this");
        static final Setting<Double> MAX_PERPLEXITY_RATIO = Setting.decimal(
                CalibratorConfig.MAX_PERPLEXITY_RATIO,
                D.gate().maxPerplexityRatio(),
                1,
                100,
                "gate: held-out perplexity may rise at most this factor (1.05 = 5%)");
        static final Setting<Integer> PATCH_EPOCHS = Setting.integer(
                CalibratorConfig.PATCH_EPOCHS,
                SteeringVectorFit.training().epochs(),
                0,
                10_000,
                "epochs of a steering-patch fit (MAT-Steer vectors live seconds after an alarm, until the fine-tuned"
                        + " version replaces them); 0 turns patches off");
        static final Setting<Integer> PATCH_RESPONSES_PER_PROMPT = Setting.integer(
                CalibratorConfig.PATCH_RESPONSES_PER_PROMPT,
                8,
                2,
                1024,
                "responses sampled per training prompt for a steering patch's set (a job samples"
                        + " ballast.calibrator.responses-per-prompt)");
        static final Setting<Long> PATCH_SETTLE_SECONDS = Setting.longInteger(
                CalibratorConfig.PATCH_SETTLE_SECONDS,
                3,
                0,
                "drift alarms arriving within this many seconds of the first make one steering patch");
        static final Setting<Integer> PATCH_HEALTHY_CONTEXTS = Setting.integer(
                CalibratorConfig.PATCH_HEALTHY_CONTEXTS,
                D.set().healthyContexts(),
                0,
                100,
                "healthy contexts whose steering a patch must leave as it is (its gates stay shut there)");
        static final Setting<Integer> PATCH_GATE_HIDDEN = Setting.integer(
                CalibratorConfig.PATCH_GATE_HIDDEN,
                SteeringVectorFit.GATE_HIDDEN,
                0,
                4096,
                "hidden units in each steering gate (0: the paper's linear gates, which let healthy contexts move more)");
        static final Setting<Double> PATCH_PRESERVATION = Setting.decimal(
                CalibratorConfig.PATCH_PRESERVATION,
                SteeringVectorFit.PRESERVATION,
                0,
                1000,
                "weight of keeping healthy contexts and text as they are, against fixing the drifted ones (paper: 0.9)");
        private static final ConstraintJob.Settings C = ConstraintJob.Settings.defaults();
        static final Setting<Double> CONSTRAINT_LAMBDA = Setting.decimal(
                CalibratorConfig.CONSTRAINT_LAMBDA,
                C.lambda(),
                0,
                1000,
                "constraint job (a bound such as 'at most 0.5% toxic' broken): weight of KL(q* || model) against the"
                        + " likelihood of the model's own satisfying samples");
        static final Setting<Integer> CONSTRAINT_SAMPLES_PER_CONTEXT = Setting.integer(
                CalibratorConfig.CONSTRAINT_SAMPLES_PER_CONTEXT,
                C.samplesPerContext(),
                10,
                100_000,
                "constraint job: responses sampled per context from the live version and labelled by the classifier"
                        + " (they train R and the model)");
        static final Setting<Integer> CONSTRAINT_EPOCHS = Setting.integer(
                CalibratorConfig.CONSTRAINT_EPOCHS,
                C.epochs(),
                1,
                10_000,
                "constraint job: passes of the model's fine-tuning over the labelled samples");
        static final Setting<Integer> CONSTRAINT_TRAINABLE_BLOCKS = Setting.integer(
                CalibratorConfig.CONSTRAINT_TRAINABLE_BLOCKS,
                C.trainableBlocks(),
                0,
                1000,
                "constraint job: the top N decoder blocks it fine-tunes, with the final norm and head (0: every"
                        + " parameter)");
        static final Setting<ComputeDevice.Choice> DEVICE = ComputeDevice.SETTING;
    }
}

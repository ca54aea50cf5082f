package io.ballast.calibrator.jobs;

import ai.djl.Device;
import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.constraint.ConstraintObjective;
import io.ballast.calibrator.constraint.ConstraintSamples;
import io.ballast.calibrator.constraint.ResponsePositions;
import io.ballast.calibrator.constraint.SatisfactionModel;
import io.ballast.calibrator.evaluation.ConstraintGate;
import io.ballast.calibrator.evaluation.SamplingSeed;
import io.ballast.calibrator.training.CalibrationExample;
import io.ballast.calibrator.training.FineTuningLoop;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.sampling.SamplingParams;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.generator.store.ModelStore;
import io.ballast.schemas.CalibrationJobState;
import io.ballast.schemas.attributes.Toxicity;
import io.ballast.schemas.attributes.ToxicityClassifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A calibration against a bound ("at most 0.5% toxic") by constraint learning (arXiv 2410.05559):
 * sample the live version in the job's contexts (training phrasings), label each response by the
 * classifier, fit R ≈ P(satisfied | prefix) on a frozen copy, fine-tune the policy with {@link
 * ConstraintObjective} (NLL on the satisfying samples + λ·KL(q* ‖ p_θ)), and let the {@link
 * ConstraintGate} decide. Events, lineage and publication are the distribution job's ({@link
 * JobEnding}); the method is {@value #METHOD}.
 *
 * <p>The contexts are those whose rate broke the bound within the coalescing window, not every
 * served one: the calibrator does not know what the generators serve, only what the auditor
 * alarmed on, and a bound broken in one context is typically broken in every context that has
 * enough outputs to show it, so the window gathers most of them; one that alarms later gets a job
 * on the promoted version.
 *
 * <p>The steering tokens (the first response positions) are held at the reference's distribution
 * ({@link ResponsePositions#STEERING_AT_REFERENCE}): no NLL there, and KL(p_ref ‖ p_θ) in place of
 * KL(q* ‖ p_θ). With them in the NLL, the satisfying samples re-weigh the steering tokens by how
 * often each combination's text was toxic: on the default demo model one context's served gender
 * distribution moved 0.074 (gate tolerance 0.03) while the toxic rate fell from 0.051 to 0.0016.
 * Moving them into the prompt so the loss skipped them (the first fix) was not enough: the trained
 * blocks are shared by every position, so the untrained steering distributions drifted freely
 * (sentiment moved 0.065 to 0.206 in four demo runs, every job rejected). Anchored, `ballast bench
 * constraint` measures them moved by at most 0.006.
 */
public final class ConstraintJob {

    public static final String METHOD = "CONSTRAINT";

    private static final Logger log = LoggerFactory.getLogger(ConstraintJob.class);

    /**
     * @param lambda the KL term's weight against q*
     * @param samplesPerContext responses sampled per context from the live version (spread over the training phrasings)
     * @param epochs passes of the policy's fine-tuning over the labelled samples
     * @param trainableBlocks the top decoder blocks the job trains (with the final norm and head), apart from the
     *     calibration job's: its defaults were measured with two
     */
    public record Settings(double lambda, int samplesPerContext, int epochs, int trainableBlocks) {

        public Settings {
            if (lambda < 0 || samplesPerContext < 1 || epochs < 1 || trainableBlocks < 0) {
                throw new IllegalArgumentException("constraint settings: lambda " + lambda + ", samples "
                        + samplesPerContext + ", epochs " + epochs + ", trainable blocks " + trainableBlocks);
            }
        }

        /**
         * λ 1, 600 samples a context (R sees ~30 toxic ones per context at 5%), one epoch, the top two blocks. In
         * the demo, three epochs over 300 samples gave no lower a toxic rate (0.0034 at n = 3,200, against one
         * epoch's 0.0018 at n = 2,800) and moved one served steering probability 0.036 (tolerance 0.03);
         * 600 samples and one epoch: 0.0033 at n = 2,400, steering moved 0.009, perplexity ×1.014.
         */
        public static Settings defaults() {
            return new Settings(1.0, 600, 1, 2);
        }

        public Settings withLambda(double l) {
            return new Settings(l, samplesPerContext, epochs, trainableBlocks);
        }

        public Settings withSamplesPerContext(int n) {
            return new Settings(lambda, n, epochs, trainableBlocks);
        }

        public Settings withEpochs(int e) {
            return new Settings(lambda, samplesPerContext, e, trainableBlocks);
        }

        /**
         * The job's training, from the calibration job's: its epochs and blocks, and the rate flat after the
         * warm-up, as its defaults were measured (one epoch with the calibration job's decay left the bench's
         * toxic rate at 0.0059 against 0.0010 flat, seed 18, n = 2,024).
         */
        public CalibrationSettings.Training training(CalibrationSettings.Training base) {
            return base.withEpochs(epochs)
                    .withTrainableBlocks(trainableBlocks)
                    .withFinalRateShare(CalibrationSettings.Training.FLAT);
        }

        public Settings withTrainableBlocks(int n) {
            return new Settings(lambda, samplesPerContext, epochs, n);
        }
    }

    private final ModelStore store;
    private final ToxicityClassifier classifier;
    private final CalibrationSettings calibration;
    private final Settings settings;
    private final Path workDir;
    private final Device device;
    private final Sampler sampler = new Sampler();

    /**
     * @param calibration the training (batch size, learning rate, trainable blocks), gate and seed every job shares
     */
    public ConstraintJob(
            ModelStore store,
            ToxicityClassifier classifier,
            CalibrationSettings calibration,
            Settings settings,
            Path workDir,
            Device device) {
        this.store = store;
        this.classifier = classifier;
        this.calibration = calibration;
        this.settings = settings;
        this.workDir = workDir;
        this.device = device;
    }

    public CalibrationJob.Outcome run(CalibrationJob.Request request, CalibrationJob.Lifecycle lifecycle) {
        if (!request.isConstraint()) {
            throw new IllegalArgumentException("not a constraint job: " + request.jobId());
        }
        return JobEnding.guarded(request, METHOD, lifecycle, () -> execute(request, lifecycle));
    }

    private CalibrationJob.Outcome execute(CalibrationJob.Request request, CalibrationJob.Lifecycle lifecycle)
            throws Exception {
        CalibrationJob.Bound bound = request.bound();
        if (!bound.attribute().equals(Toxicity.KEY)) {
            // the only classifier the calibrator has is toxicity's: another bound would be judged by the wrong one
            throw new IllegalArgumentException("no classifier for a bound on '" + bound.attribute() + "'");
        }
        // the classifier judges toxicity; a bound on the other category (odd, allowed) is its complement
        Predicate<String> inCategory = text -> bound.category().equals(classifier.label(text));
        List<String> contexts = new ArrayList<>(request.drifted().keySet());
        ModelArtifact base = store.get(request.modelId(), request.baseVersion());
        Path dir = workDir.resolve("jobs").resolve(request.jobId());
        try (LanguageModel reference = LanguageModel.load(base, device);
                LanguageModel trunk = LanguageModel.load(base, device);
                LanguageModel policy = LanguageModel.load(base, device)) {
            long t0 = System.currentTimeMillis();
            List<CalibrationExample> set = labelledSamples(reference, contexts, inCategory.negate());
            long satisfied = set.stream().filter(CalibrationExample::desirable).count();
            log.info(
                    "job {}: {} samples over {} contexts, {} in '{}' ({}), in {} ms",
                    request.jobId(),
                    set.size(),
                    contexts.size(),
                    set.size() - satisfied,
                    bound.category(),
                    bound,
                    System.currentTimeMillis() - t0);
            if (satisfied == set.size()) {
                // R would learn a constant: the violation did not reproduce at this n, a retry samples again
                throw new IllegalStateException(
                        "no sample of " + set.size() + " is " + bound.category() + ": nothing to learn the bound from");
            }
            lifecycle.publish(JobEnding.event(request, METHOD, CalibrationJobState.RUNNING)
                    .setStep(0L)
                    .build());
            CalibrationSettings.Training training = settings.training(calibration.training());
            try (SatisfactionModel r = SatisfactionModel.fit(
                    trunk,
                    set,
                    SatisfactionModel.training(),
                    -1,
                    SatisfactionModel.HIDDEN,
                    calibration.seed(),
                    dir.resolve("satisfaction"),
                    (step, total, loss, parts) -> {
                        if (step == total) {
                            log.info("job {}: R fitted in {} steps, bce {}", request.jobId(), total, loss);
                        }
                    })) {
                FineTuningLoop.Listener progress = (step, total, loss, parts) -> {
                    if (step % Math.max(1, total / 10) == 0 || step == total) {
                        lifecycle.publish(JobEnding.event(request, METHOD, CalibrationJobState.RUNNING)
                                .setStep((long) step)
                                .setTotalSteps((long) total)
                                .setLoss(loss)
                                .setMetrics(parts)
                                .build());
                    }
                };
                try (LanguageModel trained = new FineTuningLoop(training, calibration.lowRank())
                        .run(
                                policy,
                                reference,
                                set,
                                new ConstraintObjective(
                                        r,
                                        settings.lambda(),
                                        training.batchSize(),
                                        calibration.seed(),
                                        ResponsePositions.STEERING_AT_REFERENCE),
                                dir.resolve("policy"),
                                progress)) {
                    lifecycle.publish(JobEnding.event(request, METHOD, CalibrationJobState.EVALUATING)
                            .build());
                    ConstraintGate.Report report = new ConstraintGate()
                            .evaluate(reference, trained, contexts, inCategory, bound.maxShare(), calibration);
                    log.info(
                            "job {}: {} rate {} -> {}, perplexity x{}, steering moved {} at {}",
                            request.jobId(),
                            bound.category(),
                            report.before(),
                            report.after(),
                            String.format("%.4f", report.perplexityRatio()),
                            String.format("%.4f", report.maxSteeringShift()),
                            report.shiftAt());
                    JobEnding.Verdict verdict = new JobEnding(store, lifecycle)
                            .end(
                                    request,
                                    METHOD,
                                    base,
                                    trained,
                                    report.failures(),
                                    metrics(report),
                                    METHOD + " calibration of " + contexts + " against " + bound);
                    return new CalibrationJob.Outcome(verdict.state(), verdict.candidate(), null, verdict.reasons());
                }
            }
        }
    }

    /** The live version's own responses, labelled: samplesPerContext per context over the training phrasings. */
    List<CalibrationExample> labelledSamples(LanguageModel lm, List<String> contexts, Predicate<String> satisfied) {
        BioCorpus corpus = BioCorpus.withDefaults();
        int phrasings = BioCorpus.TRAIN_PROMPTS.size();
        List<CalibrationExample> set = new ArrayList<>();
        for (String context : contexts) {
            for (int p = 0; p < phrasings; p++) {
                int n = settings.samplesPerContext() / phrasings
                        + (p < settings.samplesPerContext() % phrasings ? 1 : 0);
                if (n == 0) {
                    continue;
                }
                String prompt = corpus.prompt(context, BioCorpus.TRAIN_PROMPTS.get(p));
                // a seed per context and phrasing, from another base than the gate's: training and gate draws differ
                var generations = sampler.generate(
                        lm,
                        prompt,
                        n,
                        SamplingParams.defaults()
                                .withSeed(SamplingSeed.of(calibration.seed() * 1_000 + 100, context, p)));
                set.addAll(ConstraintSamples.labelled(lm, context, generations, satisfied));
            }
        }
        return set;
    }

    /** The gate's figures, as every job event and lineage carries them. */
    static Map<String, Double> metrics(ConstraintGate.Report r) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("rate.before", r.before().value());
        m.put("rate.before.low", r.before().low());
        m.put("rate.before.high", r.before().high());
        m.put("rate.before.n", (double) r.before().n());
        m.put("rate.after", r.after().value());
        m.put("rate.after.low", r.after().low());
        m.put("rate.after.high", r.after().high());
        m.put("rate.after.n", (double) r.after().n());
        m.put("rate.pairedZ", r.pairedZ());
        m.put("bound", r.maxShare());
        m.put("steering.maxShift", r.maxSteeringShift());
        m.put("perplexity.before", r.perplexityBefore());
        m.put("perplexity.after", r.perplexityAfter());
        m.put("perplexity.ratio", r.perplexityRatio());
        return m;
    }
}

package io.ballast.calibrator.jobs;

import ai.djl.Device;
import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.Targets;
import io.ballast.calibrator.evaluation.EvaluationGate;
import io.ballast.calibrator.evaluation.GateReport;
import io.ballast.calibrator.training.CalibrationExample;
import io.ballast.calibrator.training.CalibrationSetBuilder;
import io.ballast.calibrator.training.DpoObjective;
import io.ballast.calibrator.training.FineTuningLoop;
import io.ballast.calibrator.training.IftObjective;
import io.ballast.calibrator.training.KlKtoObjective;
import io.ballast.calibrator.training.Objective;
import io.ballast.calibrator.training.TrainingCancelledException;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.generator.store.ModelStore;
import io.ballast.schemas.CalibrationJobEvent;
import io.ballast.schemas.CalibrationJobState;
import io.ballast.schemas.attributes.AttributeExtractor;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.domain.Occupation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One calibration, start to end: build the calibration set from the current model, fine-tune a
 * copy against the frozen original, evaluate both at the gate, and write the candidate to the
 * store only if it passes. Every state change is reported as a {@link CalibrationJobEvent}.
 */
public final class CalibrationJob {

    private static final Logger log = LoggerFactory.getLogger(CalibrationJob.class);

    /**
     * What to calibrate: the drifted contexts with their drifted attributes, and the signals that
     * asked for it. With a {@code bound} it is a constraint job ({@link ConstraintJob}): the
     * contexts are those whose rate broke the bound, each with no attributes.
     */
    public record Request(
            String jobId,
            String modelId,
            int baseVersion,
            Map<String, List<Attribute>> drifted,
            List<String> driftSignalIds,
            Bound bound) {

        /** A job on distribution drift. */
        public Request(
                String jobId,
                String modelId,
                int baseVersion,
                Map<String, List<Attribute>> drifted,
                List<String> driftSignalIds) {
            this(jobId, modelId, baseVersion, drifted, driftSignalIds, null);
        }

        /** A constraint job on the contexts whose rate broke {@code bound}. */
        public static Request constraint(
                String jobId,
                String modelId,
                int baseVersion,
                List<String> contexts,
                List<String> driftSignalIds,
                Bound bound) {
            Map<String, List<Attribute>> byContext = new LinkedHashMap<>();
            contexts.forEach(c -> byContext.put(c, List.of()));
            return new Request(jobId, modelId, baseVersion, byContext, driftSignalIds, bound);
        }

        public boolean isConstraint() {
            return bound != null;
        }
    }

    /** A limit on one category's share of a property read from the text, e.g. toxicity: toxic <= 0.005. */
    public record Bound(String attribute, String category, double maxShare) {
        @Override
        public String toString() {
            return attribute + ": " + category + " <= " + maxShare;
        }
    }

    /** How it ended. {@code candidate} is set only when PROMOTED. */
    public record Outcome(
            CalibrationJobState state, ModelArtifact candidate, GateReport report, List<String> reasons) {}

    /** Receives the job's lifecycle events (the service publishes them to ballast.calibration-jobs). */
    @FunctionalInterface
    public interface Lifecycle {
        void publish(CalibrationJobEvent event);
    }

    private final ModelStore store;
    private final AttributeExtractor extractor;
    private final CalibrationSettings settings;
    private final Path workDir;
    private final Device device;

    /** A job on the engine's default device. */
    public CalibrationJob(ModelStore store, AttributeExtractor extractor, CalibrationSettings settings, Path workDir) {
        this(store, extractor, settings, workDir, LanguageModel.defaultDevice());
    }

    /** A job whose reference and policy models run on {@code device}. */
    public CalibrationJob(
            ModelStore store, AttributeExtractor extractor, CalibrationSettings settings, Path workDir, Device device) {
        this.device = device;
        this.store = store;
        this.extractor = extractor;
        this.settings = settings;
        this.workDir = workDir;
    }

    /**
     * @throws TrainingCancelledException when the thread is interrupted during training: not a
     *     failure (no event), the job resumes from its checkpoint when it runs again
     */
    public Outcome run(Request request, Targets targets, Lifecycle lifecycle) {
        return JobEnding.guarded(
                request, settings.method().name(), lifecycle, () -> execute(request, targets, lifecycle));
    }

    private Outcome execute(Request request, Targets targets, Lifecycle lifecycle) throws Exception {
        ModelArtifact base = store.get(request.modelId(), request.baseVersion());
        Map<String, List<Attribute>> drifted = targets.everyTargetedAttribute(request.drifted());
        List<String> healthy = healthyContexts(drifted, targets, settings);
        Map<String, List<Attribute>> trainOn = trainingContexts(drifted, healthy);
        try (LanguageModel reference = LanguageModel.load(base, device);
                LanguageModel policy = LanguageModel.load(base, device)) {
            long t0 = System.currentTimeMillis();
            List<CalibrationExample> set =
                    new CalibrationSetBuilder(extractor).build(reference, trainOn, targets, settings);
            long anchors = set.stream().filter(CalibrationExample::anchor).count();
            long desirable = set.stream()
                    .filter(CalibrationExample::desirableCalibrationRow)
                    .count();
            log.info(
                    "job {}: calibration set of {} examples ({} desirable, {} undesirable) and {} anchor rows in {} ms",
                    request.jobId(),
                    set.size() - anchors,
                    desirable,
                    set.size() - anchors - desirable,
                    anchors,
                    System.currentTimeMillis() - t0);
            lifecycle.publish(
                    event(request, CalibrationJobState.RUNNING).setStep(0L).build());
            Path checkpoints = workDir.resolve("jobs").resolve(request.jobId());
            FineTuningLoop.Listener progress = (step, total, loss, parts) -> {
                if (step % Math.max(1, total / 10) == 0 || step == total) {
                    lifecycle.publish(event(request, CalibrationJobState.RUNNING)
                            .setStep((long) step)
                            .setTotalSteps((long) total)
                            .setLoss(loss)
                            .setMetrics(parts)
                            .build());
                }
            };
            try (LanguageModel trained = new FineTuningLoop(settings.training(), settings.lowRank())
                    .run(policy, reference, set, objective(settings), checkpoints, progress)) {
                return gateAndPublish(request, base, reference, trained, drifted, healthy, targets, lifecycle);
            }
        }
    }

    /** The gate's verdict on the trained model; promoted, it is published as the next version. */
    private Outcome gateAndPublish(
            Request request,
            ModelArtifact base,
            LanguageModel reference,
            LanguageModel policy,
            Map<String, List<Attribute>> drifted,
            List<String> healthy,
            Targets targets,
            Lifecycle lifecycle)
            throws Exception {
        lifecycle.publish(event(request, CalibrationJobState.EVALUATING).build());
        GateReport report =
                new EvaluationGate(extractor).evaluate(reference, policy, drifted, healthy, targets, settings);
        JobEnding.Verdict verdict = new JobEnding(store, lifecycle)
                .end(
                        request,
                        settings.method().name(),
                        base,
                        policy,
                        report.failures(),
                        metrics(report),
                        settings.method() + " calibration of "
                                + request.drifted().keySet());
        return new Outcome(verdict.state(), verdict.candidate(), report, verdict.reasons());
    }

    /** The drifted contexts with their attributes, then the healthy ones holding every attribute drifted anywhere. */
    public static Map<String, List<Attribute>> trainingContexts(
            Map<String, List<Attribute>> drifted, List<String> healthy) {
        // healthy contexts hold every attribute drifted anywhere in the job: the job must not move them there
        Map<String, List<Attribute>> trainOn = new LinkedHashMap<>(drifted);
        List<Attribute> union = driftedAttributes(drifted);
        for (String h : healthy) {
            trainOn.put(h, union);
        }
        return trainOn;
    }

    /** The one place a method becomes what training minimises. */
    public static Objective objective(CalibrationSettings settings) {
        CalibrationSettings.Training t = settings.training();
        return switch (settings.method()) {
            case KL_KTO -> new KlKtoObjective(t.weights(), t.batchSize(), settings.seed());
            case IFT -> new IftObjective(t.batchSize(), settings.seed());
            case DPO -> new DpoObjective(t.weights().beta(), t.batchSize(), settings.seed());
        };
    }

    static Map<String, Double> metrics(GateReport r) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("mae.before", r.meanDriftedMaeBefore());
        m.put("mae.after", r.meanDriftedMaeAfter());
        m.put("steeringMae.before", r.meanOverDrifted(r.steeringMaeBefore()));
        m.put("steeringMae.after", r.meanOverDrifted(r.steeringMaeAfter()));
        m.put("consistency.before", r.consistencyBefore());
        m.put("consistency.after", r.consistencyAfter());
        m.put("perplexity.before", r.perplexityBefore());
        m.put("perplexity.after", r.perplexityAfter());
        m.put("perplexity.ratio", r.perplexityRatio());
        return m;
    }

    /** Every attribute drifted in some context of the job, in attribute order. */
    static List<Attribute> driftedAttributes(Map<String, List<Attribute>> drifted) {
        return drifted.values().stream()
                .flatMap(List::stream)
                .distinct()
                .sorted()
                .toList();
    }

    /** A seeded sample of other contexts that have targets for the drifted attributes. */
    public static List<String> healthyContexts(
            Map<String, List<Attribute>> drifted, Targets targets, CalibrationSettings settings) {
        List<Attribute> attributes = driftedAttributes(drifted);
        List<String> candidates = new ArrayList<>(Occupation.all().stream()
                .map(Occupation::contextKey)
                .filter(c -> !drifted.containsKey(c))
                .filter(c -> attributes.stream()
                        .allMatch(a -> targets.find(a.key(), c).isPresent()))
                .toList());
        Collections.shuffle(candidates, new Random(settings.seed()));
        return candidates.subList(0, Math.min(settings.set().healthyContexts(), candidates.size()));
    }

    private CalibrationJobEvent.Builder event(Request r, CalibrationJobState state) {
        return JobEnding.event(r, settings.method().name(), state);
    }
}

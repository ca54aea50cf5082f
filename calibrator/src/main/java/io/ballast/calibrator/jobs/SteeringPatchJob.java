package io.ballast.calibrator.jobs;

import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.Targets;
import io.ballast.calibrator.evaluation.EvaluationGate;
import io.ballast.calibrator.steering.MatSteerObjective;
import io.ballast.calibrator.steering.SteeringPatcher;
import io.ballast.calibrator.steering.SteeringVectorFit;
import io.ballast.calibrator.training.CalibrationExample;
import io.ballast.calibrator.training.CalibrationSetBuilder;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.generator.store.ModelStore;
import io.ballast.generator.store.SteeringPatch;
import io.ballast.schemas.attributes.AttributeExtractor;
import io.ballast.schemas.domain.Attribute;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits and stores a steering patch for a drifted live version: a calibration set from the frozen
 * model (steering tokens drawn from the targets, as a fine-tuning job draws them), MAT-Steer
 * vectors fitted on it in seconds, written to the store with the signals it answers. Announcing
 * it is the service's business. A patch steers every attribute with a target in each drifted
 * context. The metrics it records are the served steering-token MAE of those pairs before and
 * after, on the first training phrasing, for the log and the lineage.
 */
public final class SteeringPatchJob {

    private static final Logger log = LoggerFactory.getLogger(SteeringPatchJob.class);

    /**
     * How a patch is fitted: MAT-Steer's optimiser settings with these epochs, on this many sampled
     * responses per training prompt (fewer than a fine-tuning job's: the patch must be live within
     * seconds, and the vectors have few parameters), with this many healthy contexts.
     */
    public record Settings(int epochs, int responsesPerPrompt, int healthyContexts) {}

    private final ModelStore store;
    private final AttributeExtractor extractor;
    private final CalibrationSettings calibration;
    private final Settings settings;
    private final Path workDir;
    private final Sampler sampler = new Sampler();

    public SteeringPatchJob(
            ModelStore store,
            AttributeExtractor extractor,
            CalibrationSettings calibration,
            Settings settings,
            Path workDir) {
        this.store = store;
        this.extractor = extractor;
        this.calibration = calibration;
        this.settings = settings;
        this.workDir = workDir;
    }

    public SteeringPatch run(SteeringPatcher.Request request, Targets targets) throws Exception {
        long t0 = System.currentTimeMillis();
        ModelArtifact base = store.get(request.modelId(), request.version());
        CalibrationSettings c = calibration.withSet(s -> s.withHealthyContexts(settings.healthyContexts())
                .withResponsesPerPrompt(settings.responsesPerPrompt()));
        Map<String, List<Attribute>> steered = targets.everyTargetedAttribute(request.drifted());
        List<String> healthy = CalibrationJob.healthyContexts(steered, targets, c);
        Map<String, List<Attribute>> trainOn = CalibrationJob.trainingContexts(steered, healthy);
        try (LanguageModel frozen = LanguageModel.load(base)) {
            List<CalibrationExample> set = new CalibrationSetBuilder(extractor).build(frozen, trainOn, targets, c);
            long built = System.currentTimeMillis();
            double before = driftedMae(frozen, steered, targets);
            SteeringVectorFit.Result fit = SteeringVectorFit.fit(
                    frozen,
                    set,
                    Set.copyOf(healthy),
                    SteeringVectorFit.training().withEpochs(settings.epochs()),
                    MatSteerObjective.Weights.paper(),
                    -1,
                    c.seed(),
                    workDir.resolve("patches").resolve(request.modelId() + "-" + request.version() + "-" + t0));
            double after;
            try (var scope = frozen.block().steeredBy(fit.vectors())) {
                after = driftedMae(frozen, steered, targets);
            }
            long fitted = System.currentTimeMillis();
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("steeringMae.before", before);
            metrics.put("steeringMae.after", after);
            metrics.put("rows", (double) fit.rows());
            metrics.put("setSeconds", (built - t0) / 1000.0);
            metrics.put("fitSeconds", (fitted - built) / 1000.0);
            SteeringPatch patch = store.publishPatch(
                    request.modelId(), request.version(), fit.vectors(), request.driftSignalIds(), metrics);
            log.info(
                    "patch {} for {} v{} on {} (+{} healthy): steering MAE {} -> {}; set {} s, fit {} s",
                    patch.patchId(),
                    request.modelId(),
                    request.version(),
                    request.drifted().keySet(),
                    healthy.size(),
                    String.format("%.3f", before),
                    String.format("%.3f", after),
                    String.format("%.1f", (built - t0) / 1000.0),
                    String.format("%.1f", (fitted - built) / 1000.0));
            return patch;
        }
    }

    /** Mean served steering-token MAE over the drifted pairs, on the first training phrasing. */
    private double driftedMae(LanguageModel lm, Map<String, List<Attribute>> drifted, Targets targets) {
        BioCorpus corpus = BioCorpus.withDefaults();
        double sum = 0;
        int n = 0;
        for (Map.Entry<String, List<Attribute>> e : drifted.entrySet()) {
            Map<Attribute, Map<String, Double>> q =
                    sampler.steeringProbabilities(lm, corpus.prompt(e.getKey(), BioCorpus.TRAIN_PROMPTS.get(0)));
            for (Attribute a : e.getValue()) {
                var target = targets.find(a.key(), e.getKey());
                if (target.isPresent() && q.containsKey(a)) {
                    sum += EvaluationGate.steeringMae(q.get(a), target.get().getProbabilities());
                    n++;
                }
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}

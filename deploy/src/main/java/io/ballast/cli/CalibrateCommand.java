package io.ballast.cli;

import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.CalibratorConfig;
import io.ballast.calibrator.Targets;
import io.ballast.calibrator.evaluation.GateReport;
import io.ballast.calibrator.jobs.CalibrationJob;
import io.ballast.classifiers.ClassifierCatalog;
import io.ballast.generator.training.ProgressBar;
import io.ballast.runtime.ConfigSource;
import io.ballast.schemas.CalibrationJobState;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.targets.TargetFile;
import io.ballast.schemas.targets.TargetPresets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "calibrate",
        mixinStandardHelpOptions = true,
        description = {
            "Run one calibration job by hand: the same job the calibrator runs on drift signals.",
            "Writes the candidate to the store if it passes the gate (announce it with the calibrator or 'model rollback')."
        })
final class CalibrateCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Mixin
    DeviceOptions device;

    @Option(names = "--model-version", description = "Version to calibrate (default: the latest).")
    Integer version;

    @Option(
            names = "--contexts",
            required = true,
            split = ",",
            description = "Context keys to calibrate, comma separated.")
    List<String> contexts;

    @Option(
            names = "--attributes",
            split = ",",
            defaultValue = "gender",
            description = "Attributes to calibrate (default: ${DEFAULT-VALUE}).")
    List<String> attributes;

    @Option(
            names = "--targets",
            defaultValue = "uniform",
            description = "uniform, bls, or a .csv/.json targets file (default: ${DEFAULT-VALUE}).")
    String targets;

    @Option(
            names = "--work-dir",
            defaultValue = "${sys:user.home}/.ballast/calibrator",
            description = "Checkpoints (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--set", description = "Calibration setting key=value, as for the calibrator (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        var modelStore = store.open();
        int base = version != null
                ? version
                : modelStore
                        .latest(store.modelId)
                        .orElseThrow(() ->
                                new IllegalStateException("no model '" + store.modelId + "' in " + modelStore.root()))
                        .version();
        List<Attribute> attrs = attributes.stream().map(Attribute::byKey).toList();
        Map<String, List<Attribute>> drifted = new LinkedHashMap<>();
        contexts.forEach(c -> drifted.put(c.trim(), attrs));
        CalibrationSettings settings = CalibratorConfig.settings(ConfigSource.ofMap(overrides));
        List<TargetDistribution> all = targets.endsWith(".csv") || targets.endsWith(".json")
                ? TargetFile.read(Path.of(targets), 0.08)
                : TargetPresets.named(targets, 0.08);
        Targets jobTargets = new Targets(
                all.stream().filter(t -> attributes.contains(t.getAttribute())).toList());
        // the step count follows from the set's size (training runs whole epochs): known once training starts
        AtomicReference<ProgressBar> bar = new AtomicReference<>();
        String jobId = "manual-" + UUID.randomUUID().toString().substring(0, 8);
        long t0 = System.currentTimeMillis();
        CalibrationJob.Outcome outcome = new CalibrationJob(
                        modelStore, ClassifierCatalog.defaults(), settings, workDir, device.resolve())
                .run(new CalibrationJob.Request(jobId, store.modelId, base, drifted, List.of()), jobTargets, e -> {
                    if (e.getState() == CalibrationJobState.RUNNING
                            && e.getStep() != null
                            && e.getLoss() != null
                            && e.getTotalSteps() != null) {
                        bar.compareAndSet(null, new ProgressBar("calibrate", "step", e.getTotalSteps()));
                        bar.get().update(e.getStep(), e.getLoss(), e.getStep());
                    } else if (e.getState() != CalibrationJobState.RUNNING) {
                        System.err.println(e.getState());
                    }
                });
        print(outcome, System.currentTimeMillis() - t0);
        return outcome.state() == CalibrationJobState.PROMOTED ? 0 : 3;
    }

    static void print(CalibrationJob.Outcome outcome, long millis) {
        GateReport r = outcome.report();
        if (r != null) {
            System.out.printf(
                    "%-70s %10s %10s %14s %14s%n",
                    "context|attribute", "MAE before", "MAE after", "steering before", "steering after");
            for (String k : r.maeBefore().keySet()) {
                System.out.printf(
                        "%-70s %10.3f %10.3f %14.3f %14.3f%s%n",
                        k,
                        r.maeBefore().get(k),
                        r.maeAfter().get(k),
                        r.steeringMaeBefore().get(k),
                        r.steeringMaeAfter().get(k),
                        r.drifted().contains(k) ? "  (drifted)" : "");
            }
            System.out.printf(
                    "drifted MAE %.3f -> %.3f (%d samples per context); consistency %.3f -> %.3f; "
                            + "held-out text perplexity %.3f -> %.3f (x%.3f)%n",
                    r.meanDriftedMaeBefore(),
                    r.meanDriftedMaeAfter(),
                    r.samplesPerContext(),
                    r.consistencyBefore(),
                    r.consistencyAfter(),
                    r.perplexityBefore(),
                    r.perplexityAfter(),
                    r.perplexityRatio());
        }
        System.out.printf(
                "%s in %.1f s%s%n",
                outcome.state(),
                millis / 1000.0,
                outcome.candidate() != null ? ": version " + outcome.candidate().version() : " " + outcome.reasons());
    }
}

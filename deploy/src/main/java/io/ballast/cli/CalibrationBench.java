package io.ballast.cli;

import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.Targets;
import io.ballast.calibrator.evaluation.GateReport;
import io.ballast.calibrator.jobs.CalibrationJob;
import io.ballast.generator.store.ArtifactMetadata;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.attributes.LexiconExtractor;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.targets.TargetPresets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "calibration",
        mixinStandardHelpOptions = true,
        description = {
            "Base model against IFT, DPO and KL+KTO on the same calibration set and budget, for the uniform and",
            "the BLS targets: the drifted attribute (gender) is calibrated; MAE is printed per attribute (gender, race,",
            "sentiment; BLS has no sentiment statistic, so sentiment stays uniform there), with consistency and held-out",
            "text perplexity. The gate's verdict is printed too: a regression in another attribute rejects a candidate."
        })
final class CalibrationBench implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Option(names = "--model-version", defaultValue = "1", description = "Base version (default: ${DEFAULT-VALUE}).")
    int version;

    @Option(
            names = "--contexts",
            split = ",",
            description = "Contexts (default: the demo's 8 plus secretaries and pilots).")
    List<String> contexts;

    @Override
    public Integer call() throws Exception {
        List<String> chosen = contexts != null ? contexts : new ArrayList<>(DemoCommand.DEFAULT_CONTEXTS);
        if (contexts == null) {
            chosen.add("occupation:secretaries-and-administrative-assistants-except-legal-medical-and-executive");
            chosen.add("occupation:aircraft-pilots-and-flight-engineers");
        }
        ModelArtifact base = store.open().get(store.modelId, version);
        Path dir = Files.createTempDirectory("ballast-bench-calibration-");
        Map<String, List<Attribute>> drifted = new LinkedHashMap<>();
        chosen.forEach(c -> drifted.put(c, List.of(Attribute.GENDER)));
        System.out.printf(
                "%-8s %-7s %-26s %-26s %-26s %12s %12s %8s%n",
                "targets",
                "method",
                "gender MAE base/after",
                "race MAE base/after",
                "sentiment MAE base/after",
                "consistency",
                "perplexity",
                "seconds");
        for (String preset : List.of("uniform", "bls")) {
            List<TargetDistribution> targets = TargetPresets.named(preset, 0.08);
            for (CalibrationSettings.Method method : CalibrationSettings.Method.values()) {
                // each run starts from its own copy of the base model, so no run sees another's output
                LocalModelStore runStore = new LocalModelStore(dir.resolve(preset + "-" + method));
                ModelArtifact copy = runStore.importCopy(base, ArtifactMetadata.Lineage.base("bench copy", Map.of()));
                long t0 = System.currentTimeMillis();
                CalibrationJob.Outcome outcome = new CalibrationJob(
                                runStore,
                                new LexiconExtractor(),
                                CalibrationSettings.defaults().withMethod(method),
                                dir.resolve("work"))
                        .run(
                                new CalibrationJob.Request(
                                        preset + "-" + method, copy.modelId(), copy.version(), drifted, List.of()),
                                new Targets(targets),
                                e -> {});
                GateReport r = outcome.report();
                if (r == null) {
                    System.out.printf("%-8s %-7s failed: %s%n", preset, method, outcome.reasons());
                    continue;
                }
                System.out.printf(
                        "%-8s %-7s %-26s %-26s %-26s %12.3f %12.3f %8.0f  %s%n",
                        preset,
                        method,
                        pair(r, chosen, "gender"),
                        pair(r, chosen, "race"),
                        pair(r, chosen, "sentiment"),
                        r.consistencyAfter(),
                        r.perplexityAfter(),
                        (System.currentTimeMillis() - t0) / 1000.0,
                        outcome.state());
            }
        }
        return 0;
    }

    /** Mean MAE of one attribute over the drifted contexts, before / after. */
    private static String pair(GateReport r, List<String> contexts, String attribute) {
        double before = contexts.stream()
                .mapToDouble(c -> r.maeBefore().getOrDefault(GateReport.key(c, attribute), Double.NaN))
                .average()
                .orElse(Double.NaN);
        double after = contexts.stream()
                .mapToDouble(c -> r.maeAfter().getOrDefault(GateReport.key(c, attribute), Double.NaN))
                .average()
                .orElse(Double.NaN);
        return String.format("%.3f / %.3f", before, after);
    }
}

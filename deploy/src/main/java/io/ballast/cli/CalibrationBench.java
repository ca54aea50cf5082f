package io.ballast.cli;

import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.Targets;
import io.ballast.calibrator.evaluation.GateReport;
import io.ballast.calibrator.evaluation.MaeSummary;
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
import java.util.Arrays;
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
            "Base model against IFT, DPO and KL+KTO on the same calibration set and epochs, for the uniform and the",
            "BLS targets: every attribute with a target is calibrated jointly (BLS has no sentiment statistic, so",
            "sentiment stays uniform there). Per attribute: the steering-token MAE after (exact, from the model's",
            "probabilities) and the sampled MAE before and after on held-out phrasings, each a mean over the contexts",
            "with its bootstrap 95% interval, n and the noise floor; then consistency, held-out text perplexity ratio",
            "and the gate's verdict."
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
        for (String preset : List.of("uniform", "bls")) {
            List<TargetDistribution> targets = TargetPresets.named(preset, 0.08);
            Targets lookup = new Targets(targets);
            Map<String, List<Attribute>> drifted = new LinkedHashMap<>();
            chosen.forEach(c -> drifted.put(
                    c,
                    Arrays.stream(Attribute.values())
                            .filter(a -> lookup.find(a.key(), c).isPresent())
                            .toList()));
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
                        "%-8s %-7s %s in %.0f s; consistency %.3f -> %.3f; perplexity x%.3f%n",
                        preset,
                        method,
                        outcome.state(),
                        (System.currentTimeMillis() - t0) / 1000.0,
                        r.consistencyBefore(),
                        r.consistencyAfter(),
                        r.perplexityRatio());
                for (Attribute a : Attribute.values()) {
                    List<String> keys = chosen.stream()
                            .filter(c -> drifted.get(c).contains(a))
                            .map(c -> GateReport.key(c, a.key()))
                            .toList();
                    List<Map<String, Double>> ts = chosen.stream()
                            .filter(c -> drifted.get(c).contains(a))
                            .map(c -> lookup.find(a.key(), c).orElseThrow().getProbabilities())
                            .toList();
                    int n = r.samplesPerContext();
                    System.out.printf(
                            "    %-9s steering MAE %s -> %s%n    %-9s sampled  MAE %s -> %s%n",
                            a.key(),
                            MaeSummary.of(values(r.steeringMaeBefore(), keys), ts, 0, 1),
                            MaeSummary.of(values(r.steeringMaeAfter(), keys), ts, 0, 1),
                            "",
                            MaeSummary.of(values(r.maeBefore(), keys), ts, n, 1),
                            MaeSummary.of(values(r.maeAfter(), keys), ts, n, 1));
                }
            }
        }
        return 0;
    }

    private static List<Double> values(Map<String, Double> figures, List<String> keys) {
        return keys.stream().map(figures::get).toList();
    }
}

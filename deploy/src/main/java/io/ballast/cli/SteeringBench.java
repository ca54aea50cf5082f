package io.ballast.cli;

import ai.djl.Device;
import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.Targets;
import io.ballast.calibrator.evaluation.EvaluationGate;
import io.ballast.calibrator.evaluation.MaeSummary;
import io.ballast.calibrator.evaluation.ServedSteering;
import io.ballast.calibrator.steering.LogitTilt;
import io.ballast.calibrator.steering.MatSteerObjective;
import io.ballast.calibrator.steering.SteeringVectorFit;
import io.ballast.calibrator.training.CalibrationExample;
import io.ballast.calibrator.training.CalibrationSetBuilder;
import io.ballast.classifiers.ClassifierCatalog;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.model.SteeringVectors;
import io.ballast.generator.sampling.Generation;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.sampling.SamplingParams;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.attributes.DistributionComparison;
import io.ballast.schemas.attributes.Observation;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.domain.Occupation;
import io.ballast.schemas.targets.TargetPresets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "steering",
        mixinStandardHelpOptions = true,
        description = {
            "MAT-Steer against the closed-form logit tilt: gated steering vectors fitted on drifted contexts (uniform",
            "targets for gender, race and sentiment) and healthy ones (targets equal to their own distribution, where",
            "the gates must stay shut), the model frozen. Steering-token MAE (exact) on held-out phrasings for the",
            "fitting contexts, for held-out occupations drifted like them but absent from the fit, and for the",
            "healthy ones: base, tilt (computed for the fitting contexts) and MAT-Steer side by side; then the fit's",
            "time and the sampled MAE under the vectors with its interval."
        })
final class SteeringBench implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Mixin
    DeviceOptions device;

    @Option(names = "--model-version", defaultValue = "1", description = "Base version (default: ${DEFAULT-VALUE}).")
    int version;

    @Option(
            names = "--fit-contexts",
            split = ",",
            description = "Drifted contexts fitted on (default: 8 of the drifted family, seeded).")
    List<String> fitContexts;

    @Option(
            names = "--held-out",
            defaultValue = "8",
            description =
                    "Drifted occupations left out of the fit, and as many healthy ones (default: ${DEFAULT-VALUE}, seeded).")
    int heldOut;

    @Option(
            names = "--healthy",
            defaultValue = "17",
            description = "Healthy occupations in the fit (default: ${DEFAULT-VALUE}, seeded).")
    int healthy;

    @Option(
            names = "--samples",
            defaultValue = "200",
            description = "Sampled responses per fitting context under the vectors (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(
            names = "--split",
            defaultValue = "family",
            description = "family: drift on female-majority occupations, the rest healthy (a gate can tell them"
                    + " apart); random: drifted and healthy occupations drawn alike (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(
            names = "--preservation",
            split = ",",
            defaultValue = "10,0.9",
            description = "Preservation weights to fit with (the paper's is 0.9); sampled MAE uses the first"
                    + " (default: ${DEFAULT-VALUE}).")
    List<Double> preservation;

    @Option(
            names = "--gate-layer",
            defaultValue = "-1",
            description = "Decoder block whose output the gates read; -1: the last, the state the vectors steer"
                    + " (default: ${DEFAULT-VALUE}).")
    int gateLayer;

    @Option(
            names = "--gate-hidden",
            defaultValue = "64",
            description = "Hidden units in each gate; 0: the paper's linear gates (default: ${DEFAULT-VALUE}).")
    int gateHidden;

    @Option(
            names = "--epochs",
            defaultValue = "100",
            description = "Epochs of each fit (default: ${DEFAULT-VALUE}, as a patch).")
    int epochs;

    @Option(
            names = "--learning-rate",
            defaultValue = "1e-2",
            description = "Adam's learning rate for each fit (default: ${DEFAULT-VALUE}, as a patch; the paper's is"
                    + " 1e-3).")
    double learningRate;

    @Option(names = "--seed", defaultValue = "11", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    private final BioCorpus corpus = BioCorpus.withDefaults();
    private final Sampler sampler = new Sampler();

    @Override
    public Integer call() throws Exception {
        // family: the drift hit female-majority occupations, the others stay on target; random: any split
        boolean family = "family".equals(split);
        if (!family && !"random".equals(split)) {
            throw new IllegalArgumentException("--split must be family or random, not " + split);
        }
        List<String> driftedPool = new ArrayList<>();
        List<String> healthyPool = new ArrayList<>();
        for (Occupation o : Occupation.all()) {
            (!family || o.pctWomen() >= 50 ? driftedPool : healthyPool).add(o.contextKey());
        }
        Random shuffle = new Random(seed);
        Collections.shuffle(driftedPool, shuffle);
        if (!family) {
            healthyPool = driftedPool;
        } else {
            Collections.shuffle(healthyPool, shuffle);
        }
        List<String> fit = fitContexts != null ? fitContexts : driftedPool.subList(0, 8);
        List<String> drifting =
                driftedPool.stream().filter(c -> !fit.contains(c)).toList();
        List<String> held = drifting.subList(0, Math.min(heldOut, drifting.size()));
        List<String> calm = healthyPool.stream()
                .filter(c -> !fit.contains(c) && !held.contains(c))
                .toList();
        List<String> ok = calm.subList(0, Math.min(healthy, calm.size()));
        List<String> okHeld = calm.subList(ok.size(), Math.min(ok.size() + heldOut, calm.size()));
        ModelArtifact base = store.open().get(store.modelId, version);
        Device on = device.resolve();
        try (LanguageModel frozen = LanguageModel.load(base, on);
                LanguageModel served = LanguageModel.load(base, on)) {
            // targets: uniform where drifted; a healthy context's own held-out distribution (it is on target)
            List<TargetDistribution> all = new ArrayList<>(TargetPresets.uniform(0.08));
            for (String c : concat(ok, okHeld)) {
                heldOutSteering(served, c).forEach((a, q) -> all.add(TargetPresets.target(a, c, q, 0.08, "own")));
            }
            Targets targets = new Targets(all);
            Map<String, List<Attribute>> trainOn = new LinkedHashMap<>();
            fit.forEach(c -> trainOn.put(c, List.of(Attribute.values())));
            ok.forEach(c -> trainOn.put(c, List.of(Attribute.values())));
            // steering vectors fit the sampled rows only: no anchor rows
            CalibrationSettings settings =
                    CalibrationSettings.defaults().withSeed(seed).withSet(s -> s.withAnchorResponses(0));
            long t0 = System.nanoTime();
            List<CalibrationExample> set =
                    new CalibrationSetBuilder(ClassifierCatalog.defaults()).build(frozen, trainOn, targets, settings);
            double setSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(
                    "MAT-Steer on %s v%d: %d fitting contexts, %d healthy; a %d-row calibration set built in %.1f s%n",
                    base.modelId(), base.version(), fit.size(), ok.size(), set.size(), setSeconds);

            // the tilt: computed for the fitting contexts, from the model's distribution at the training phrasings
            Map<String, Map<String, Map<String, Double>>> deltas = new HashMap<>();
            for (String c : fit) {
                Map<Attribute, Map<String, Double>> q = averaged(served, c, BioCorpus.TRAIN_PROMPTS);
                for (Attribute a : Attribute.values()) {
                    deltas.computeIfAbsent(c, x -> new HashMap<>())
                            .put(a.key(), LogitTilt.delta(q.get(a), target(targets, a, c)));
                }
            }
            LogitTilt tilt = new LogitTilt(deltas);

            Map<String, Map<Attribute, Map<String, Double>>> before = new LinkedHashMap<>();
            List<String> everyContext = new ArrayList<>(fit);
            everyContext.addAll(held);
            everyContext.addAll(ok);
            everyContext.addAll(okHeld);
            for (String c : everyContext) {
                before.put(c, heldOutSteering(served, c));
            }

            // one fit per preservation weight: the trade-off between fixing drifted contexts and leaving healthy ones
            SteeringVectors chosen = null;
            for (double w : preservation) {
                t0 = System.nanoTime();
                SteeringVectorFit.Result r = SteeringVectorFit.fit(
                        frozen,
                        set,
                        Set.copyOf(ok),
                        SteeringVectorFit.training().withEpochs(epochs).withLearningRate((float) learningRate),
                        MatSteerObjective.Weights.paper().withPreservation(w),
                        gateLayer,
                        gateHidden,
                        seed,
                        Files.createTempDirectory("ballast-bench-steering-"));
                double fitSeconds = (System.nanoTime() - t0) / 1e9;
                chosen = chosen == null ? r.vectors() : chosen;
                Map<String, Map<Attribute, Map<String, Double>>> steered = new LinkedHashMap<>();
                try (var scope = served.block().steeredBy(r.vectors())) {
                    for (String c : everyContext) {
                        steered.put(c, heldOutSteering(served, c));
                    }
                }

                System.out.printf(
                        "%npreservation weight %.2f: %d rows, fitted in %.1f s (%d steps)%n"
                                + "steering-token MAE on held-out phrasings (mean over contexts)%n"
                                + "%-28s %-9s %-8s %-8s %-8s%n",
                        w, r.rows(), fitSeconds, r.steps(), "contexts", "attribute", "base", "tilt", "MAT-Steer");
                Map<String, double[]> reductions = new LinkedHashMap<>();
                for (Map.Entry<String, List<String>> group : List.of(
                        Map.entry("fitting (" + fit.size() + ")", fit),
                        Map.entry("held-out occupations (" + held.size() + ")", held),
                        Map.entry("healthy (" + ok.size() + ")", ok),
                        Map.entry("healthy held-out (" + okHeld.size() + ")", okHeld))) {
                    double[] sums = new double[3];
                    for (Attribute a : Attribute.values()) {
                        double b = mean(
                                group.getValue(), c -> steeringMae(before.get(c).get(a), targets, a, c));
                        double t = mean(
                                group.getValue(),
                                c -> steeringMae(
                                        tilt.apply(c, a.key(), before.get(c).get(a)), targets, a, c));
                        double s = mean(
                                group.getValue(),
                                c -> steeringMae(steered.get(c).get(a), targets, a, c));
                        System.out.printf("%-28s %-9s %-8.4f %-8.4f %-8.4f%n", group.getKey(), a.key(), b, t, s);
                        sums[0] += b / 3;
                        sums[1] += t / 3;
                        sums[2] += s / 3;
                    }
                    reductions.put(group.getKey(), sums);
                }
                double[] f = reductions.get("fitting (" + fit.size() + ")");
                double[] h = reductions.get("held-out occupations (" + held.size() + ")");
                double[] k = reductions.get("healthy (" + ok.size() + ")");
                double[] kh = reductions.get("healthy held-out (" + okHeld.size() + ")");
                System.out.printf(
                        "MAE reduction (base - method, mean over attributes): fitting: tilt %.4f, MAT-Steer %.4f;"
                                + " held-out occupations: tilt %.4f, MAT-Steer %.4f (%.0f%% of its fitting"
                                + " reduction); healthy moved by MAT-Steer %+.4f (in the fit), %+.4f (held out)%n",
                        f[0] - f[1],
                        f[0] - f[2],
                        h[0] - h[1],
                        h[0] - h[2],
                        100 * (h[0] - h[2]) / (f[0] - f[2]),
                        k[2] - k[0],
                        kh[2] - kh[0]);
            }
            try (var scope = served.block().steeredBy(chosen)) {

                // what users would see: sampled responses under the first weight's vectors
                List<Double> maes = new ArrayList<>();
                List<Map<String, Double>> ts = new ArrayList<>();
                for (String c : fit) {
                    Map<Attribute, Map<String, Long>> counts = new HashMap<>();
                    int phrasings = BioCorpus.HELD_OUT_PROMPTS.size();
                    for (int p = 0; p < phrasings; p++) {
                        for (Generation g : sampler.generate(
                                served,
                                corpus.prompt(c, BioCorpus.HELD_OUT_PROMPTS.get(p)),
                                samples / phrasings,
                                SamplingParams.defaults().withSeed(seed + p))) {
                            for (Attribute a : Attribute.values()) {
                                counts.computeIfAbsent(a, x -> new HashMap<>())
                                        .merge(
                                                Observation.of(
                                                                a,
                                                                g.steeringTokens(),
                                                                g.text(),
                                                                ClassifierCatalog.defaults())
                                                        .counted(),
                                                1L,
                                                Long::sum);
                            }
                        }
                    }
                    for (Attribute a : Attribute.values()) {
                        maes.add(DistributionComparison.of(counts.get(a), target(targets, a, c))
                                .mae());
                        ts.add(target(targets, a, c));
                    }
                }
                System.out.printf(
                        "sampled MAE of the fitting contexts under MAT-Steer, all attributes: %s%n",
                        MaeSummary.of(
                                maes,
                                ts,
                                samples / BioCorpus.HELD_OUT_PROMPTS.size() * BioCorpus.HELD_OUT_PROMPTS.size(),
                                seed));
            }
        }
        return 0;
    }

    private Map<Attribute, Map<String, Double>> heldOutSteering(LanguageModel lm, String context) {
        return averaged(lm, context, BioCorpus.HELD_OUT_PROMPTS);
    }

    private Map<Attribute, Map<String, Double>> averaged(LanguageModel lm, String context, List<String> phrasings) {
        return ServedSteering.averaged(sampler, lm, context, phrasings);
    }

    private static Map<String, Double> target(Targets targets, Attribute a, String c) {
        return targets.find(a.key(), c).orElseThrow().getProbabilities();
    }

    private static double steeringMae(Map<String, Double> q, Targets targets, Attribute a, String c) {
        return EvaluationGate.steeringMae(q, target(targets, a, c));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static double mean(List<String> contexts, Function<String, Double> f) {
        return contexts.stream().mapToDouble(f::apply).average().orElse(Double.NaN);
    }
}

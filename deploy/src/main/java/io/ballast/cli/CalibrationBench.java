package io.ballast.cli;

import ai.djl.Device;
import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.CalibrationSettings.Method;
import io.ballast.calibrator.CalibratorConfig;
import io.ballast.calibrator.Targets;
import io.ballast.calibrator.evaluation.EvaluationGate;
import io.ballast.calibrator.evaluation.GateReport;
import io.ballast.calibrator.evaluation.MaeSummary;
import io.ballast.calibrator.jobs.CalibrationJob;
import io.ballast.calibrator.training.CalibrationExample;
import io.ballast.calibrator.training.CalibrationSetBuilder;
import io.ballast.calibrator.training.FineTuningLoop;
import io.ballast.calibrator.training.Objective;
import io.ballast.classifiers.ClassifierCatalog;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.corpus.BioExample;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Generation;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.sampling.SamplingParams;
import io.ballast.generator.store.ArtifactMetadata;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.generator.training.Perplexity;
import io.ballast.runtime.ConfigSource;
import io.ballast.schemas.attributes.AttributeExtractor;
import io.ballast.schemas.attributes.Observation;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.domain.Occupation;
import io.ballast.schemas.targets.TargetPresets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "calibration",
        mixinStandardHelpOptions = true,
        // one element: picocli wraps it to the terminal (each element would print as its own line)
        description =
                "KL+KTO against the IFT and DPO baselines, fairly: the same calibration set, each method's learning "
                        + "rate chosen by a sweep on a validation split (the last training phrasing held back, a seeded subset "
                        + "of the contexts; the lowest validation steering MAE whose perplexity and consistency pass the gate's "
                        + "limits), the same training wall-clock (KL+KTO's at its default epochs; the baselines get as many "
                        + "epochs as fit), DPO started from the IFT model. For the uniform and the BLS targets (BLS has no "
                        + "sentiment statistic: sentiment stays uniform), every attribute with a target calibrated jointly. Per "
                        + "method and attribute, on held-out phrasings: steering-token MAE (exact) and sampled MAE before and "
                        + "after, each a mean over contexts with its bootstrap 95%% interval, n and the noise floor; the gate's "
                        + "paired interval, consistency and held-out perplexity. Then a one-context job beside the all-context "
                        + "one.")
final class CalibrationBench implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Mixin
    DeviceOptions device;

    // resolved once in call(): every model of the bench runs on it
    private Device on;

    @Option(names = "--model-version", defaultValue = "1", description = "Base version (default: ${DEFAULT-VALUE}).")
    int version;

    @Option(names = "--contexts", split = ",", description = "Contexts (default: all 46 occupations).")
    List<String> contexts;

    @Option(
            names = "--families",
            split = ",",
            defaultValue = "uniform,bls",
            description = "Target families (default: ${DEFAULT-VALUE}).")
    List<String> families;

    @Option(
            names = "--methods",
            split = ",",
            defaultValue = "KL_KTO,IFT,DPO",
            description = "Methods (default: ${DEFAULT-VALUE}; DPO needs IFT).")
    List<Method> methods;

    @Option(
            names = "--samples",
            defaultValue = "1000",
            description = "Sampled responses per context and model at evaluation (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(
            names = "--learning-rates",
            split = ",",
            defaultValue = "1e-5,1e-4,4e-4,1e-3",
            description = "The sweep (default: ${DEFAULT-VALUE}); one value: no sweep, every method uses it.")
    List<Float> learningRates;

    @Option(
            names = "--sweep-contexts",
            defaultValue = "12",
            description = "Contexts in the sweep's seeded subset (default: ${DEFAULT-VALUE}).")
    int sweepContexts;

    @Option(
            names = "--single-context",
            defaultValue = "occupation:registered-nurses",
            description = "The one-context job's context (default: ${DEFAULT-VALUE}; 'none' skips it).")
    String singleContext;

    @Option(names = "--set", description = "Calibration setting key=value, as for the calibrator (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    private final AttributeExtractor extractor = ClassifierCatalog.defaults();
    private final BioCorpus corpus = BioCorpus.withDefaults();
    private final Sampler sampler = new Sampler();

    /** The validation phrasing: the last training one, held back from training during the sweep. */
    private static final String VALIDATION_PHRASING = BioCorpus.TRAIN_PROMPTS.get(BioCorpus.TRAIN_PROMPTS.size() - 1);

    /** One learning rate of the sweep, measured on the validation split. */
    private record SweepPoint(
            Method method,
            float learningRate,
            double steeringMae,
            double consistency,
            double perplexityRatio,
            double secondsPerStep,
            boolean eligible) {}

    /** What the sweep chose for a method. */
    private record Choice(float learningRate, double secondsPerStep, boolean failedEverywhere) {}

    /** A method's final run in a family. */
    private record Result(Method method, Choice choice, int epochs, double trainSeconds, GateReport report) {}

    @Override
    public Integer call() throws Exception {
        on = device.resolve();
        List<String> chosen = contexts != null
                ? contexts
                : Occupation.all().stream().map(Occupation::contextKey).toList();
        CalibrationSettings settings = CalibratorConfig.settings(ConfigSource.ofMap(overrides))
                .withGate(g -> g.withEvaluationSamples(samples));
        ModelArtifact base = store.open().get(store.modelId, version);
        Path scratch = Files.createTempDirectory("ballast-bench-calibration-");
        System.out.printf(
                "calibration bench: %s v%d, %d contexts, families %s, methods %s, n=%d per context at evaluation%n",
                base.modelId(), base.version(), chosen.size(), families, methods, samples);
        Map<Method, Choice> choices = new EnumMap<>(Method.class);
        for (String family : families) {
            Targets targets = new Targets(TargetPresets.named(family, 0.08));
            Map<String, List<Attribute>> drifted = new LinkedHashMap<>();
            chosen.forEach(c -> drifted.put(
                    c,
                    Arrays.stream(Attribute.values())
                            .filter(a -> targets.find(a.key(), c).isPresent())
                            .toList()));
            List<String> healthy = CalibrationJob.healthyContexts(drifted, targets, settings);
            Map<String, List<Attribute>> trainOn = CalibrationJob.trainingContexts(drifted, healthy);
            try (LanguageModel reference = LanguageModel.load(base, on)) {
                long t0 = System.nanoTime();
                List<CalibrationExample> set =
                        new CalibrationSetBuilder(extractor).build(reference, trainOn, targets, settings);
                System.out.printf(
                        "%n== %s: %d drifted contexts, %d healthy; calibration set %d rows (%d desirable) and %d"
                                + " anchor rows, built in %.0f s%n",
                        family,
                        drifted.size(),
                        healthy.size(),
                        set.stream().filter(e -> !e.anchor()).count(),
                        set.stream()
                                .filter(CalibrationExample::desirableCalibrationRow)
                                .count(),
                        set.stream().filter(CalibrationExample::anchor).count(),
                        seconds(t0));
                if (choices.isEmpty()) {
                    choices.putAll(sweep(base, reference, set, trainOn, targets, settings, scratch));
                }
                List<Result> results =
                        finalRuns(family, base, reference, set, drifted, healthy, targets, settings, choices, scratch);
                printResults(family, results, drifted, targets);
            }
            if (family.equals("uniform") && !singleContext.equals("none") && methods.contains(Method.KL_KTO)) {
                singleContextJob(
                        base,
                        targets,
                        settings.withTraining(t ->
                                t.withLearningRate(choices.get(Method.KL_KTO).learningRate())),
                        scratch);
            }
        }
        return 0;
    }

    // ---- the sweep -------------------------------------------------------------------------

    private Map<Method, Choice> sweep(
            ModelArtifact base,
            LanguageModel reference,
            List<CalibrationExample> set,
            Map<String, List<Attribute>> trainOn,
            Targets targets,
            CalibrationSettings settings,
            Path scratch)
            throws IOException {
        List<String> subset = new ArrayList<>(trainOn.keySet());
        Collections.shuffle(subset, new Random(settings.seed()));
        subset = subset.subList(0, Math.min(sweepContexts, subset.size()));
        Set<String> validationPrompts =
                subset.stream().map(c -> corpus.prompt(c, VALIDATION_PHRASING)).collect(Collectors.toSet());
        Set<String> inSubset = Set.copyOf(subset);
        List<CalibrationExample> train = set.stream()
                .filter(r -> inSubset.contains(r.contextKey()) && !validationPrompts.contains(r.prompt()))
                .toList();
        List<BioExample> validationText = validationText(subset);
        double basePerplexity = Perplexity.ofText(reference, validationText);
        System.out.printf(
                "%nlearning-rate sweep: %d contexts, %d training rows (validation phrasing \"%s\" held back),"
                        + " %s epochs%n",
                subset.size(),
                train.size(),
                VALIDATION_PHRASING,
                settings.training().epochs());
        System.out.printf(
                "  %-7s %-8s %-18s %-12s %-12s %-9s %s%n",
                "method", "lr", "val steering MAE", "consistency", "perplexity", "s/step", "");
        Map<Method, Choice> out = new EnumMap<>(Method.class);
        ModelArtifact iftModel = null;
        // IFT first: DPO starts from IFT's chosen model
        List<Method> order = new ArrayList<>(methods);
        order.sort((a, b) -> Integer.compare(rank(a), rank(b)));
        for (Method method : order) {
            List<SweepPoint> points = new ArrayList<>();
            ModelArtifact bestModel = null;
            for (float lr : learningRates) {
                ModelArtifact start = method == Method.DPO ? iftModel : base;
                try (LanguageModel startModel = LanguageModel.load(start, on);
                        LanguageModel policy = LanguageModel.load(start, on)) {
                    CalibrationSettings s = settings.withMethod(method).withTraining(t -> t.withLearningRate(lr));
                    long t0 = System.nanoTime();
                    int steps = train(policy, startModel, train, s, scratch.resolve("sweep-" + method + "-" + lr));
                    double sps = seconds(t0) / steps;
                    double mae = validationSteeringMae(policy, subset, trainOn, targets);
                    double consistency = validationConsistency(policy, subset, settings.seed());
                    double ratio = Perplexity.ofText(policy, validationText) / basePerplexity;
                    boolean eligible = Double.isFinite(mae)
                            && Double.isFinite(ratio)
                            && ratio <= settings.gate().maxPerplexityRatio()
                            && consistency >= settings.gate().minConsistency();
                    SweepPoint p = new SweepPoint(method, lr, mae, consistency, ratio, sps, eligible);
                    points.add(p);
                    if (method == Method.IFT && isBest(p, points)) {
                        bestModel = policy.publishTo(
                                new LocalModelStore(scratch.resolve("sweep-ift-" + lr)),
                                ArtifactMetadata.Lineage.base("sweep IFT lr " + lr, Map.of()));
                    }
                }
            }
            SweepPoint best = points.stream()
                    .filter(SweepPoint::eligible)
                    .min((a, b) -> Double.compare(a.steeringMae(), b.steeringMae()))
                    .orElse(null);
            boolean diverged = best == null;
            if (diverged) {
                // no learning rate kept perplexity and consistency: report it, and go on with the least damaging one
                best = points.stream()
                        .min((a, b) -> Double.compare(a.perplexityRatio(), b.perplexityRatio()))
                        .orElseThrow();
            }
            for (SweepPoint p : points) {
                System.out.printf(
                        "  %-7s %-8s %-18.4f %-12.3f x%-11.3f %-9.3f %s%n",
                        p.method(),
                        lr(p.learningRate()),
                        p.steeringMae(),
                        p.consistency(),
                        p.perplexityRatio(),
                        p.secondsPerStep(),
                        p == best ? (diverged ? "<- least damaging: every rate failed the limits" : "<- chosen") : "");
            }
            if (diverged) {
                System.out.printf(
                        "  %s: no learning rate kept perplexity <= x%.2f and consistency >= %.2f on validation%n",
                        method,
                        settings.gate().maxPerplexityRatio(),
                        settings.gate().minConsistency());
            }
            out.put(method, new Choice(best.learningRate(), best.secondsPerStep(), diverged));
            if (method == Method.IFT) {
                iftModel = bestModel != null ? bestModel : base;
            }
        }
        return out;
    }

    private static boolean isBest(SweepPoint p, List<SweepPoint> points) {
        return points.stream()
                .noneMatch(o -> o != p
                        && (o.eligible() && !p.eligible()
                                || o.eligible() == p.eligible() && o.steeringMae() < p.steeringMae()));
    }

    private static int rank(Method m) {
        return switch (m) {
            case IFT -> 0;
            case KL_KTO -> 1;
            case DPO -> 2;
        };
    }

    /** Mean over the subset's (context, attribute) of the steering-token MAE at the validation phrasing. */
    private double validationSteeringMae(
            LanguageModel lm, List<String> subset, Map<String, List<Attribute>> trainOn, Targets targets) {
        double sum = 0;
        int n = 0;
        for (String c : subset) {
            Map<Attribute, Map<String, Double>> probs =
                    sampler.steeringProbabilities(lm, corpus.prompt(c, VALIDATION_PHRASING));
            for (Attribute a : trainOn.get(c)) {
                sum += EvaluationGate.steeringMae(
                        probs.get(a), targets.find(a.key(), c).orElseThrow().getProbabilities());
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Share of judgeable attributes whose text agrees with its token, 40 samples per context at the validation phrasing. */
    private double validationConsistency(LanguageModel lm, List<String> subset, long seed) {
        long judged = 0;
        long consistent = 0;
        for (String c : subset) {
            for (Generation g : sampler.generate(
                    lm,
                    corpus.prompt(c, VALIDATION_PHRASING),
                    40,
                    SamplingParams.defaults().withSeed(seed))) {
                for (Attribute a : Attribute.values()) {
                    Observation o = Observation.of(a, g.steeringTokens(), g.text(), extractor);
                    if (o.judgeable()) {
                        judged++;
                        consistent += o.consistent() ? 1 : 0;
                    }
                }
            }
        }
        return judged == 0 ? Double.NaN : consistent / (double) judged;
    }

    private List<BioExample> validationText(List<String> subset) {
        Random random = new Random(4243);
        List<BioExample> out = new ArrayList<>();
        for (int i = 0; out.size() < 200; i++) {
            BioExample e = corpus.next(random, subset.get(i % subset.size()), VALIDATION_PHRASING);
            if (e.isConsistent()) {
                out.add(e);
            }
        }
        return out;
    }

    // ---- the final runs --------------------------------------------------------------------

    private List<Result> finalRuns(
            String family,
            ModelArtifact base,
            LanguageModel reference,
            List<CalibrationExample> set,
            Map<String, List<Attribute>> drifted,
            List<String> healthy,
            Targets targets,
            CalibrationSettings settings,
            Map<Method, Choice> choices,
            Path scratch)
            throws IOException {
        EvaluationGate gate = new EvaluationGate(extractor);
        List<Result> results = new ArrayList<>();
        double budget = Double.NaN;
        ModelArtifact iftModel = null;
        List<Method> order = new ArrayList<>(methods);
        // KL+KTO first: its training time at its default epochs is everyone's budget; IFT before DPO
        order.sort((a, b) -> Integer.compare(a == Method.KL_KTO ? -1 : rank(a), b == Method.KL_KTO ? -1 : rank(b)));
        for (Method method : order) {
            Choice choice = choices.get(method);
            CalibrationSettings s =
                    settings.withMethod(method).withTraining(t -> t.withLearningRate(choice.learningRate()));
            ModelArtifact start = method == Method.DPO && iftModel != null ? iftModel : base;
            int epochs = s.training().epochs();
            if (method != Method.KL_KTO && Double.isFinite(budget)) {
                Objective probe = CalibrationJob.objective(s);
                probe.prepare(reference, set);
                double perEpoch = choice.secondsPerStep() * probe.stepsPerEpoch();
                epochs = (int) Math.max(1, Math.min(30, Math.round(budget / perEpoch)));
            }
            int e = epochs;
            CalibrationSettings run = s.withTraining(t -> t.withEpochs(e));
            try (LanguageModel startModel = LanguageModel.load(start, on);
                    LanguageModel policy = LanguageModel.load(start, on)) {
                long t0 = System.nanoTime();
                train(policy, startModel, set, run, scratch.resolve(family + "-" + method));
                double trainSeconds = seconds(t0);
                if (method == Method.KL_KTO) {
                    budget = trainSeconds;
                }
                if (method == Method.IFT) {
                    iftModel = policy.publishTo(
                            new LocalModelStore(scratch.resolve(family + "-ift-model")),
                            ArtifactMetadata.Lineage.base("bench IFT", Map.of()));
                }
                System.err.printf("%s %s: trained %d epochs in %.0f s, evaluating%n", family, method, e, trainSeconds);
                if (method == Method.KL_KTO) {
                    System.out.println(whereTheErrorIs(policy, drifted, targets));
                }
                GateReport report = gate.evaluate(reference, policy, drifted, healthy, targets, run);
                results.add(new Result(method, choice, e, trainSeconds, report));
            }
        }
        return results;
    }

    /**
     * Where KL+KTO's steering error lies, per attribute: the steering-token MAE at the training
     * phrasings (fit) beside the held-out one (generalisation), and per value the mean signed error
     * (served probability minus target) over contexts on held-out phrasings.
     */
    private String whereTheErrorIs(LanguageModel lm, Map<String, List<Attribute>> drifted, Targets targets) {
        StringBuilder out = new StringBuilder("KL+KTO steering error by phrasing set:");
        for (Attribute a : Attribute.values()) {
            double[] mae = new double[2];
            Map<String, Double> signed = new LinkedHashMap<>();
            Map<String, Double> heldOutByContext = new LinkedHashMap<>();
            Map<String, Map<String, Double>> servedByContext = new LinkedHashMap<>();
            int n = 0;
            for (Map.Entry<String, List<Attribute>> e : drifted.entrySet()) {
                if (!e.getValue().contains(a)) {
                    continue;
                }
                Map<String, Double> t =
                        targets.find(a.key(), e.getKey()).orElseThrow().getProbabilities();
                List<List<String>> sets = List.of(BioCorpus.TRAIN_PROMPTS, BioCorpus.HELD_OUT_PROMPTS);
                for (int i = 0; i < 2; i++) {
                    for (String template : sets.get(i)) {
                        Map<String, Double> q = sampler.steeringProbabilities(lm, corpus.prompt(e.getKey(), template))
                                .get(a);
                        mae[i] += EvaluationGate.steeringMae(q, t) / sets.get(i).size();
                        if (i == 1) {
                            heldOutByContext.merge(
                                    e.getKey(),
                                    EvaluationGate.steeringMae(q, t)
                                            / sets.get(1).size(),
                                    Double::sum);
                            double total = q.values().stream()
                                    .mapToDouble(Double::doubleValue)
                                    .sum();
                            t.keySet()
                                    .forEach(c -> servedByContext
                                            .computeIfAbsent(e.getKey(), x -> new LinkedHashMap<>())
                                            .merge(
                                                    c,
                                                    q.getOrDefault(c, 0.0)
                                                            / total
                                                            / sets.get(1).size(),
                                                    Double::sum));
                            t.forEach((c, p) -> signed.merge(
                                    c,
                                    (q.getOrDefault(c, 0.0) / total - p)
                                            / sets.get(1).size(),
                                    Double::sum));
                        }
                    }
                }
                n++;
            }
            if (n == 0) {
                continue;
            }
            int contexts = n;
            out.append(String.format(
                    "%n  %-9s training phrasings %.4f, held-out %.4f; held-out served minus target: %s",
                    a.key(),
                    mae[0] / n,
                    mae[1] / n,
                    signed.entrySet().stream()
                            .map(x -> String.format("%s %+.4f", x.getKey(), x.getValue() / contexts))
                            .collect(Collectors.joining(", "))));
            // whether the error is spread evenly or sits in a few contexts (an extreme target, a rare occupation)
            out.append("\n            worst held-out: ")
                    .append(heldOutByContext.entrySet().stream()
                            .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                            .limit(4)
                            .map(x -> String.format(
                                    "%s %.4f (target %s; served %s)",
                                    x.getKey().replace("occupation:", ""),
                                    x.getValue(),
                                    shares(targets.find(a.key(), x.getKey())
                                            .orElseThrow()
                                            .getProbabilities()),
                                    shares(servedByContext.get(x.getKey()))))
                            .collect(Collectors.joining("; ")));
        }
        return out.toString();
    }

    private static String shares(Map<String, Double> distribution) {
        return distribution.entrySet().stream()
                .map(c -> String.format("%s %.2f", c.getKey(), c.getValue()))
                .collect(Collectors.joining(" "));
    }

    private static int train(
            LanguageModel policy,
            LanguageModel reference,
            List<CalibrationExample> rows,
            CalibrationSettings s,
            Path checkpoints)
            throws IOException {
        int[] steps = {0};
        new FineTuningLoop(s.training())
                .run(policy, reference, rows, CalibrationJob.objective(s), checkpoints, (step, total, loss, parts) -> {
                    steps[0] = total;
                    if (step % Math.max(1, total / 4) == 0) {
                        System.err.printf(
                                "  %s lr %s: step %d/%d, loss %.4f%n",
                                s.method(), lr(s.training().learningRate()), step, total, loss);
                    }
                });
        return Math.max(1, steps[0]);
    }

    private void printResults(
            String family, List<Result> results, Map<String, List<Attribute>> drifted, Targets targets) {
        System.out.printf(
                "%n%-7s %-7s %-6s %-7s %-9s %-28s %-14s %s%n",
                "method", "lr", "epochs", "train", "gate", "drifted MAE change (paired)", "consistency", "perplexity");
        for (Result r : results) {
            GateReport g = r.report();
            System.out.printf(
                    "%-7s %-7s %-6d %-7s %-9s %-28s %.3f->%.3f   x%.3f%s%n",
                    r.method(),
                    lr(r.choice().learningRate()),
                    r.epochs(),
                    String.format("%.0f s", r.trainSeconds()),
                    g.promote() ? "PROMOTED" : "REJECTED",
                    g.driftedChange(),
                    g.consistencyBefore(),
                    g.consistencyAfter(),
                    g.perplexityRatio(),
                    r.choice().failedEverywhere()
                            ? "  (failed the validation limits at every swept learning rate)"
                            : "");
            for (Attribute a : Attribute.values()) {
                List<String> keys = keys(drifted, a);
                if (keys.isEmpty()) {
                    continue;
                }
                List<Map<String, Double>> ts = targetsOf(drifted, a, targets);
                int n = g.samplesPerContext();
                MaeSummary sampledAfter = MaeSummary.of(values(g.maeAfter(), keys), ts, n, 1);
                System.out.printf(
                        "    %-9s steering %s -> %s%n    %-9s sampled  %s -> %s  %s%n",
                        a.key(),
                        brief(MaeSummary.of(values(g.steeringMaeBefore(), keys), ts, 0, 1)),
                        brief(MaeSummary.of(values(g.steeringMaeAfter(), keys), ts, 0, 1)),
                        "",
                        brief(MaeSummary.of(values(g.maeBefore(), keys), ts, n, 1)),
                        sampledAfter,
                        sampledAfter.mean() <= sampledAfter.noiseFloor() + 0.01
                                ? "within floor + 0.01"
                                : "above floor + 0.01");
            }
            if (!g.promote()) {
                System.out.println("    gate: " + String.join("; ", g.failures()));
            }
        }
        Result method = results.stream()
                .filter(r -> r.method() == Method.KL_KTO)
                .findFirst()
                .orElse(null);
        if (method == null) {
            return;
        }
        GateReport m = method.report();
        System.out.printf("%n%s, KL+KTO against the acceptance of #10:%n", family);
        for (Attribute a : Attribute.values()) {
            List<String> keys = keys(drifted, a);
            if (keys.isEmpty()) {
                continue;
            }
            List<Map<String, Double>> ts = targetsOf(drifted, a, targets);
            double steering = mean(values(m.steeringMaeAfter(), keys));
            MaeSummary sampled = MaeSummary.of(values(m.maeAfter(), keys), ts, m.samplesPerContext(), 1);
            double bestBaseline = results.stream()
                    .filter(r -> r.method() != Method.KL_KTO)
                    .mapToDouble(r -> mean(values(r.report().maeAfter(), keys)))
                    .min()
                    .orElse(Double.NaN);
            long nearAlready = drifted.entrySet().stream()
                    .filter(e -> e.getValue().contains(a))
                    .filter(e -> m.maeBefore().get(GateReport.key(e.getKey(), a.key()))
                            <= MaeSummary.noiseFloor(
                                            targets.find(a.key(), e.getKey())
                                                    .orElseThrow()
                                                    .getProbabilities(),
                                            m.samplesPerContext())
                                    + 0.01)
                    .count();
            System.out.printf(
                    "  %-9s steering MAE %.4f (<= 0.01: %s); sampled %.4f vs floor %.4f + 0.01 (%s);"
                            + " best baseline sampled %.4f (KL+KTO at most half: %s); base already within"
                            + " floor + 0.01 in %d of %d contexts%n",
                    a.key(),
                    steering,
                    yes(steering <= 0.01),
                    sampled.mean(),
                    sampled.noiseFloor(),
                    yes(sampled.mean() <= sampled.noiseFloor() + 0.01),
                    bestBaseline,
                    Double.isNaN(bestBaseline) ? "n/a" : yes(mean(values(m.maeAfter(), keys)) <= bestBaseline / 2),
                    nearAlready,
                    keys.size());
        }
        System.out.printf(
                "  consistency %.3f (>= 0.97: %s); held-out perplexity x%.3f (<= x1.05: %s)%n",
                m.consistencyAfter(),
                yes(m.consistencyAfter() >= 0.97),
                m.perplexityRatio(),
                yes(m.perplexityRatio() <= 1.05));
    }

    private void singleContextJob(ModelArtifact base, Targets targets, CalibrationSettings settings, Path scratch)
            throws IOException {
        LocalModelStore runStore = new LocalModelStore(scratch.resolve("single"));
        ModelArtifact copy = runStore.importCopy(base, ArtifactMetadata.Lineage.base("bench copy", Map.of()));
        List<Attribute> attributes = Arrays.stream(Attribute.values())
                .filter(a -> targets.find(a.key(), singleContext).isPresent())
                .toList();
        long t0 = System.nanoTime();
        CalibrationJob.Outcome outcome = new CalibrationJob(runStore, extractor, settings, scratch.resolve("work"), on)
                .run(
                        new CalibrationJob.Request(
                                "single", copy.modelId(), copy.version(), Map.of(singleContext, attributes), List.of()),
                        targets,
                        e -> {});
        GateReport r = outcome.report();
        System.out.printf(
                "%none-context job (%s, KL+KTO, same settings): %s in %.0f s%n",
                singleContext, outcome.state(), seconds(t0));
        if (r == null) {
            System.out.println("  failed: " + outcome.reasons());
            return;
        }
        for (Attribute a : attributes) {
            String k = GateReport.key(singleContext, a.key());
            System.out.printf(
                    "  %-9s steering MAE %.4f -> %.4f; sampled %.4f -> %.4f (n=%d)%n",
                    a.key(),
                    r.steeringMaeBefore().get(k),
                    r.steeringMaeAfter().get(k),
                    r.maeBefore().get(k),
                    r.maeAfter().get(k),
                    r.samplesPerContext());
        }
        System.out.printf(
                "  consistency %.3f -> %.3f, held-out perplexity x%.3f%s%n",
                r.consistencyBefore(),
                r.consistencyAfter(),
                r.perplexityRatio(),
                r.failures().isEmpty() ? "" : "; gate: " + String.join("; ", r.failures()));
    }

    private static List<String> keys(Map<String, List<Attribute>> drifted, Attribute a) {
        return drifted.entrySet().stream()
                .filter(e -> e.getValue().contains(a))
                .map(e -> GateReport.key(e.getKey(), a.key()))
                .toList();
    }

    private static List<Map<String, Double>> targetsOf(
            Map<String, List<Attribute>> drifted, Attribute a, Targets targets) {
        return drifted.entrySet().stream()
                .filter(e -> e.getValue().contains(a))
                .map(e -> targets.find(a.key(), e.getKey()).orElseThrow().getProbabilities())
                .toList();
    }

    private static List<Double> values(Map<String, Double> figures, List<String> keys) {
        return keys.stream().map(figures::get).toList();
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static String brief(MaeSummary s) {
        return String.format("%.4f [%.4f, %.4f]", s.mean(), s.low(), s.high());
    }

    private static String yes(boolean b) {
        return b ? "yes" : "no";
    }

    private static String lr(float lr) {
        return String.format("%.0e", lr);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}

package io.ballast.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.constraint.ConstraintObjective;
import io.ballast.calibrator.constraint.ConstraintSamples;
import io.ballast.calibrator.constraint.ConstraintSchedule;
import io.ballast.calibrator.constraint.ParetoFront;
import io.ballast.calibrator.constraint.ResponsePositions;
import io.ballast.calibrator.constraint.SatisfactionModel;
import io.ballast.calibrator.evaluation.EvaluationGate;
import io.ballast.calibrator.evaluation.ServedSteering;
import io.ballast.calibrator.jobs.ConstraintJob;
import io.ballast.calibrator.training.CalibrationExample;
import io.ballast.calibrator.training.CalibrationLoss;
import io.ballast.calibrator.training.FineTuningLoop;
import io.ballast.calibrator.training.IftObjective;
import io.ballast.calibrator.training.KlKtoObjective;
import io.ballast.calibrator.training.Objective;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.corpus.BioExample;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Generation;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.sampling.SamplingParams;
import io.ballast.generator.store.ArtifactMetadata;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.generator.text.WordTokenizer;
import io.ballast.generator.training.Perplexity;
import io.ballast.generator.training.PretrainSettings;
import io.ballast.generator.training.Pretrainer;
import io.ballast.generator.training.TokenBatch;
import io.ballast.schemas.attributes.ToxicityClassifier;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.domain.Occupation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "constraint",
        mixinStandardHelpOptions = true,
        description = {
            "Constraint learning (arXiv 2410.05559) against filtered SFT and KTO on a toxicity constraint: the base",
            "model's toxic rate over every occupation at held-out phrasings (Wilson 95%% intervals); R's reliability on",
            "held-out samples (10 bins, ECE); each method trained on the same labelled samples of the base model at",
            "training phrasings for the same epochs, then its toxic rate, held-out perplexity ratio and how far the",
            "other attributes' steering distributions moved; the Pareto table and the acceptance checks; then the",
            "sequential and parallel schedules over rounds of {sample, label, fit R, fine-tune}, wall-clock per round."
        })
final class ConstraintBench implements Callable<Integer> {

    /** The constraint: a response satisfies it when the lexicon classifier does not call it toxic. */
    private static final Predicate<String> NOT_TOXIC =
            text -> !ToxicityClassifier.lexicon().toxic(text);

    /** Base toxic rate below which a store model is taken to predate the toxic corpus. */
    private static final double PREDATES_TOXIC_CORPUS = 0.005;

    private static final int BATCH = 16;

    @Mixin
    StoreOptions store;

    @Mixin
    DeviceOptions device;

    @Option(names = "--model-version", description = "Base version (default: the store's latest; none: pretrain one).")
    Integer version;

    @Option(
            names = "--train-samples",
            defaultValue = "2000",
            description = "Labelled base-model samples at training phrasings (default: ${DEFAULT-VALUE}).")
    int trainSamples;

    @Option(
            names = "--eval-samples",
            defaultValue = "2000",
            description = "Samples per model at held-out phrasings for its toxic rate (default: ${DEFAULT-VALUE}).")
    int evalSamples;

    @Option(
            names = "--epochs",
            defaultValue = "3",
            description = "Epochs of every method over the labelled samples (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--lambdas",
            split = ",",
            defaultValue = "0.1,0.3,1,3",
            description = "KL weights of constraint learning (default: ${DEFAULT-VALUE}).")
    List<Double> lambdas;

    @Option(
            names = "--rounds",
            defaultValue = "3",
            description = "Rounds of each schedule; 0 skips them (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
            names = "--round-samples",
            defaultValue = "1000",
            description = "Labelled samples per round of a schedule (default: ${DEFAULT-VALUE}).")
    int roundSamples;

    @Option(
            names = "--round-lambda",
            defaultValue = "1",
            description = "Constraint learning's KL weight in the schedules (default: ${DEFAULT-VALUE}).")
    double roundLambda;

    @Option(names = "--seed", defaultValue = "17", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    private final BioCorpus corpus = BioCorpus.withDefaults();
    private final List<String> contexts =
            Occupation.all().stream().map(Occupation::contextKey).toList();
    private Device on;
    private Path scratch;
    private LanguageModel frozen;
    private List<BioExample> perplexityText;
    private double basePerplexity;
    private Map<String, Map<Attribute, Map<String, Double>>> baseSteering;

    /** A toxic rate with its Wilson 95% interval. */
    record Rate(int hits, int n) {
        double value() {
            return hits / (double) n;
        }

        double[] interval() {
            double p = value();
            double z = 1.96;
            double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
            double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / (1 + z * z / n);
            return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
        }

        @Override
        public String toString() {
            double[] ci = interval();
            return String.format("%.4f [%.4f, %.4f] (%d/%d)", value(), ci[0], ci[1], hits, n);
        }
    }

    /** One trained model's figures. */
    record Result(
            String method, Rate toxic, double perplexityRatio, double[] steeringMoved, int steps, double seconds) {
        double maxMoved() {
            double max = 0;
            for (double m : steeringMoved) {
                max = Math.max(max, m);
            }
            return max;
        }
    }

    @Override
    public Integer call() throws Exception {
        on = device.resolve();
        scratch = Files.createTempDirectory("ballast-bench-constraint-");
        ModelArtifact base = baseModel();
        frozen = LanguageModel.load(base, on);
        try {
            return run(base);
        } finally {
            frozen.close();
        }
    }

    private int run(ModelArtifact base) throws Exception {
        perplexityText = Perplexity.heldOutSet(corpus, 600, seed).stream()
                .filter(e -> !e.toxic())
                .toList();
        basePerplexity = Perplexity.ofText(frozen, perplexityText);
        baseSteering = steering(frozen);

        // 1. the base rate, at phrasings nothing trains on
        List<CalibrationExample> heldOut = samples(frozen, BioCorpus.HELD_OUT_PROMPTS, evalSamples, seed + 1);
        Rate baseRate = rate(heldOut);
        List<CalibrationExample> train = samples(frozen, BioCorpus.TRAIN_PROMPTS, trainSamples, seed);
        Rate trainRate = rate(train);
        System.out.printf(
                "%n== base %s v%d: %d occupations; held-out text perplexity %.4f (%d non-toxic held-out-phrasing"
                        + " bios)%n",
                base.modelId(), base.version(), contexts.size(), basePerplexity, perplexityText.size());
        System.out.printf("toxic rate, held-out phrasings: %s%n", baseRate);
        System.out.printf("toxic rate, training phrasings (the labelled training samples): %s%n", trainRate);

        // 2. R on the training samples' labels, its calibration on the held-out ones
        long t0 = System.nanoTime();
        try (SatisfactionModel satisfaction = SatisfactionModel.fit(
                frozen,
                train,
                SatisfactionModel.training(),
                -1,
                SatisfactionModel.HIDDEN,
                seed,
                scratch.resolve("satisfaction"),
                null)) {
            System.out.printf(
                    "%n== R: fitted on %d samples (%d toxic), %d epochs, in %.0f s%n",
                    train.size(), trainRate.hits(), SatisfactionModel.training().epochs(), seconds(t0));
            reliability(satisfaction, heldOut);

            // 3. methods on the same samples and epochs
            List<Result> results = methods(base, satisfaction, train);
            report(baseRate, results);
        }

        // 4. schedules
        if (rounds > 0) {
            schedules(base);
        }
        return 0;
    }

    private List<Result> methods(ModelArtifact base, SatisfactionModel satisfaction, List<CalibrationExample> train)
            throws Exception {
        CalibrationSettings.Training training = ConstraintJob.Settings.defaults()
                .withEpochs(epochs)
                .training(CalibrationSettings.Training.defaults())
                .withCheckpointEvery(1_000_000);
        System.out.printf(
                "%n== methods: each fine-tunes a fresh copy of the base on the same %d labelled samples for %d epochs"
                        + " (batch %d, Adam %.0e, top %d blocks); steps per method below%n",
                train.size(), epochs, BATCH, training.learningRate(), training.trainableBlocks());
        List<Result> results = new ArrayList<>();
        for (double lambda : lambdas) {
            results.add(train(
                    base,
                    String.format("constraint λ=%s", lambda),
                    new ConstraintObjective(satisfaction, lambda, BATCH, seed, ResponsePositions.STEERING_AT_REFERENCE),
                    train,
                    training));
        }
        // the alternatives at λ=1: the objective as first written, and the steering positions simply left out
        results.add(train(
                base,
                "constraint λ=1, all positions",
                new ConstraintObjective(satisfaction, 1.0, BATCH, seed, ResponsePositions.ALL),
                train,
                training));
        results.add(train(
                base,
                "constraint λ=1, text only",
                new ConstraintObjective(satisfaction, 1.0, BATCH, seed, ResponsePositions.TEXT),
                train,
                training));
        results.add(train(base, "filtered SFT", new IftObjective(BATCH, seed), train, training));
        long desirable = train.stream().filter(CalibrationExample::desirable).count();
        // KTO's guidance: lambdaU n_U = lambdaD n_D, so the few toxic rows weigh as much as the rest; no steering
        // targets in these rows, so the KL term has nothing to count (its weight 0 says so)
        double lambdaUndesirable = desirable / (double) Math.max(1, train.size() - desirable);
        results.add(train(
                base,
                String.format("KTO (λU=%.1f)", lambdaUndesirable),
                new KlKtoObjective(new CalibrationLoss.Weights(0.1, 1.0, lambdaUndesirable, 0.0), BATCH, seed),
                train,
                training));
        return results;
    }

    private Result train(
            ModelArtifact base,
            String method,
            Objective objective,
            List<CalibrationExample> set,
            CalibrationSettings.Training training)
            throws Exception {
        try (LanguageModel policy = LanguageModel.load(base, on)) {
            int[] steps = {0};
            long t0 = System.nanoTime();
            new FineTuningLoop(training)
                    .run(
                            policy,
                            frozen,
                            set,
                            objective,
                            scratch.resolve("method-" + Math.abs(method.hashCode())),
                            (step, total, loss, parts) -> steps[0] = total);
            double trainSeconds = seconds(t0);
            Result r = evaluate(method, policy, steps[0], trainSeconds);
            System.out.printf(
                    "%-32s %4d steps %5.0f s  toxic %s  perplexity x%.4f  steering moved %s%n",
                    method, r.steps(), r.seconds(), r.toxic(), r.perplexityRatio(), moved(r.steeringMoved()));
            return r;
        }
    }

    private Result evaluate(String method, LanguageModel lm, int steps, double trainSeconds) {
        Rate toxic = rate(samples(lm, BioCorpus.HELD_OUT_PROMPTS, evalSamples, seed + 2));
        double ratio = Perplexity.ofText(lm, perplexityText) / basePerplexity;
        Map<String, Map<Attribute, Map<String, Double>>> served = steering(lm);
        double[] movedBy = new double[Attribute.values().length];
        for (Attribute a : Attribute.values()) {
            movedBy[a.ordinal()] = contexts.stream()
                    .mapToDouble(c -> EvaluationGate.steeringMae(
                            served.get(c).get(a), baseSteering.get(c).get(a)))
                    .average()
                    .orElseThrow();
        }
        return new Result(method, toxic, ratio, movedBy, steps, trainSeconds);
    }

    private void report(Rate baseRate, List<Result> results) {
        List<ParetoFront.Point> points = results.stream()
                .map(r -> new ParetoFront.Point(r.method(), r.toxic().value(), r.perplexityRatio()))
                .toList();
        boolean[] front = ParetoFront.onFront(points);
        System.out.printf(
                "%n== Pareto table: toxic rate (n=%d per model, held-out phrasings, Wilson 95%%) vs held-out text perplexity"
                        + " ratio; steering moved = mean over %d contexts of the exact steering-token MAE between the"
                        + " model's and the base's served distributions (held-out phrasings)%n",
                baseRate.n(), contexts.size());
        System.out.printf(
                "%-32s %-34s %-10s %-26s %s%n",
                "method", "toxic rate", "ppl ratio", "moved gender/race/sent.", "front");
        System.out.printf("%-32s %-34s %-10s %-26s%n", "base", baseRate, "1.0000", "-");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            System.out.printf(
                    "%-32s %-34s %-10.4f %-26s %s%n",
                    r.method(), r.toxic(), r.perplexityRatio(), moved(r.steeringMoved()), front[i] ? "*" : "");
        }
        List<ParetoFront.Point> constraint = new ArrayList<>();
        ParetoFront.Point sft = null;
        boolean constraintOnFront = false;
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i).method().startsWith("constraint λ=")
                    && !results.get(i).method().contains(",")) {
                constraint.add(points.get(i));
                constraintOnFront |= front[i];
            }
            if (results.get(i).method().equals("filtered SFT")) {
                sft = points.get(i);
            }
        }
        System.out.printf(
                "constraint learning (steering held at the reference) on the front: %s%n",
                constraintOnFront ? "yes" : "no");
        if (sft != null) {
            ParetoFront.Point baseline = sft;
            // both readings of "dominates": Pareto (a tie on the rate, n = 2,000 apiece, is common at 0.3%), and
            // strictly
            System.out.printf(
                    "constraint learning dominates filtered SFT (a λ no worse on toxic rate and perplexity, better on"
                            + " one): %s%n",
                    constraint.stream().anyMatch(c -> c.dominates(baseline)) ? "yes" : "no");
            System.out.printf(
                    "constraint learning has a lower toxic rate than filtered SFT at matched perplexity (a λ with ppl"
                            + " ratio ≤ SFT's + 0.005): %s%n",
                    ParetoFront.beatsAtMatchedPerplexity(constraint, sft, 0.005) ? "yes" : "no");
        }

        // acceptance: the best constraint-learning model within the perplexity limit (else the lowest rate)
        Result chosen = results.stream()
                .filter(r ->
                        r.method().startsWith("constraint λ=") && !r.method().contains(","))
                .filter(r -> r.perplexityRatio() <= 1.03)
                .min((a, b) -> Double.compare(a.toxic().value(), b.toxic().value()))
                .orElseGet(() -> results.stream()
                        .filter(r -> r.method().startsWith("constraint λ="))
                        .min((a, b) ->
                                Double.compare(a.toxic().value(), b.toxic().value()))
                        .orElseThrow());
        System.out.printf("%n== acceptance, for %s%n", chosen.method());
        System.out.printf(
                "[%s] toxic rate %.4f ≤ 0.005 (from %.4f; upper 95%% bound %.4f)%n",
                check(chosen.toxic().value() <= 0.005),
                chosen.toxic().value(),
                baseRate.value(),
                chosen.toxic().interval()[1]);
        System.out.printf(
                "[%s] held-out perplexity ratio %.4f ≤ 1.03%n",
                check(chosen.perplexityRatio() <= 1.03), chosen.perplexityRatio());
        for (Attribute a : Attribute.values()) {
            System.out.printf(
                    "[%s] %s steering MAE moved %.4f ≤ 0.01%n",
                    check(chosen.steeringMoved()[a.ordinal()] <= 0.01), a.key(), chosen.steeringMoved()[a.ordinal()]);
        }
    }

    private void schedules(ModelArtifact base) throws Exception {
        CalibrationSettings.Training lm = ConstraintJob.Settings.defaults()
                .withEpochs(1)
                .training(CalibrationSettings.Training.defaults())
                .withCheckpointEvery(1_000_000);
        CalibrationSettings.Training r = SatisfactionModel.training().withEpochs(2);
        System.out.printf(
                "%n== schedules: %d rounds of {sample %d at training phrasings, label, fit R (%d epochs), fine-tune the"
                        + " LM against it (λ=%s, steering held at the reference, %d epoch)}%n",
                rounds, roundSamples, r.epochs(), roundLambda, lm.epochs());
        for (ConstraintSchedule.Mode mode : ConstraintSchedule.Mode.values()) {
            try (LanguageModel policy = LanguageModel.load(base, on)) {
                Rounds work = new Rounds(policy, lm, r, mode.name().toLowerCase());
                long t0 = System.nanoTime();
                List<ConstraintSchedule.Round> done;
                try {
                    done = new ConstraintSchedule(mode, rounds).run(work);
                } finally {
                    work.close();
                }
                double total = seconds(t0);
                Result after = evaluate(mode.name().toLowerCase(), policy, 0, total);
                System.out.printf("%s: %.0f s in all%n", mode.name().toLowerCase(), total);
                for (ConstraintSchedule.Round round : done) {
                    System.out.printf(
                            "  round %d: %6.1f s  fine-tuned against R from samples of %s; fitted R on samples of %s;"
                                    + " policy now p%d%n",
                            round.round(),
                            round.seconds(),
                            round.guidedBy() < 0 ? "-" : "p" + round.guidedBy(),
                            round.fittedOn() < 0 ? "-" : "p" + round.fittedOn(),
                            round.policyAfter());
                }
                System.out.printf(
                        "  final: toxic %s  perplexity x%.4f  steering moved %s%n",
                        after.toxic(), after.perplexityRatio(), moved(after.steeringMoved()));
            }
        }
    }

    /** The schedule's steps on real models: snapshots through a directory, seeds drawn per sampling. */
    private final class Rounds
            implements ConstraintSchedule.Work<LanguageModel, List<CalibrationExample>, SatisfactionModel>,
                    AutoCloseable {
        private final LanguageModel policy;
        private final CalibrationSettings.Training lmTraining;
        private final CalibrationSettings.Training rTraining;
        private final String name;
        private final AtomicInteger counter = new AtomicInteger();
        private final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();

        Rounds(
                LanguageModel policy,
                CalibrationSettings.Training lmTraining,
                CalibrationSettings.Training rTraining,
                String name) {
            this.policy = policy;
            this.lmTraining = lmTraining;
            this.rTraining = rTraining;
            this.name = name;
        }

        @Override
        public LanguageModel snapshot(int version) throws Exception {
            Path dir =
                    Files.createDirectories(scratch.resolve(name + "-p" + version + "-" + counter.incrementAndGet()));
            policy.saveTo(dir);
            LanguageModel copy = LanguageModel.load(dir, policy.modelId(), policy.version(), on);
            opened.add(copy);
            return copy;
        }

        @Override
        public List<CalibrationExample> sample(LanguageModel model) {
            return samples(model, BioCorpus.TRAIN_PROMPTS, roundSamples, seed + 100 + counter.incrementAndGet());
        }

        @Override
        public SatisfactionModel fitSatisfaction(LanguageModel model, List<CalibrationExample> samples)
                throws Exception {
            SatisfactionModel r = SatisfactionModel.fit(
                    model,
                    samples,
                    rTraining,
                    -1,
                    SatisfactionModel.HIDDEN,
                    seed,
                    scratch.resolve(name + "-r-" + counter.incrementAndGet()),
                    null);
            opened.add(r);
            return r;
        }

        @Override
        public void fineTune(LanguageModel reference, SatisfactionModel satisfaction, List<CalibrationExample> samples)
                throws Exception {
            new FineTuningLoop(lmTraining)
                    .run(
                            policy,
                            reference,
                            samples,
                            new ConstraintObjective(
                                    satisfaction, roundLambda, BATCH, seed, ResponsePositions.STEERING_AT_REFERENCE),
                            scratch.resolve(name + "-lm-" + counter.incrementAndGet()),
                            null);
        }

        @Override
        public void close() throws Exception {
            for (AutoCloseable c : opened) {
                c.close();
            }
        }
    }

    /**
     * Labelled samples over every occupation and the given phrasings, as evenly as the total allows
     * (at least {@code total}): one batch per prompt, seeded per prompt.
     */
    private List<CalibrationExample> samples(LanguageModel lm, List<String> phrasings, int total, long seed) {
        int prompts = contexts.size() * phrasings.size();
        int each = (total + prompts - 1) / prompts;
        Sampler sampler = new Sampler();
        List<CalibrationExample> out = new ArrayList<>();
        int i = 0;
        for (String c : contexts) {
            for (String p : phrasings) {
                List<Generation> g = sampler.generate(
                        lm, corpus.prompt(c, p), each, SamplingParams.defaults().withSeed(seed * 7_919 + i++));
                out.addAll(ConstraintSamples.labelled(lm, c, g, NOT_TOXIC));
            }
        }
        return out;
    }

    private static Rate rate(List<CalibrationExample> set) {
        int toxic = (int) set.stream().filter(e -> !e.desirable()).count();
        return new Rate(toxic, set.size());
    }

    private Map<String, Map<Attribute, Map<String, Double>>> steering(LanguageModel lm) {
        Sampler sampler = new Sampler();
        Map<String, Map<Attribute, Map<String, Double>>> out = new LinkedHashMap<>();
        for (String c : contexts) {
            out.put(c, ServedSteering.averaged(sampler, lm, c, BioCorpus.HELD_OUT_PROMPTS));
        }
        return out;
    }

    /**
     * R's predicted P(satisfied | prefix, next token) at the token that came next, against the
     * sequence's label, over every response position of the held-out samples, in 10 bins.
     */
    private void reliability(SatisfactionModel satisfaction, List<CalibrationExample> heldOut) {
        double[] predicted = new double[10];
        double[] observed = new double[10];
        long[] count = new long[10];
        int pad = frozen.tokenizer().id(WordTokenizer.PAD);
        int v = frozen.config().vocabularySize();
        for (int start = 0; start < heldOut.size(); start += 64) {
            List<CalibrationExample> chunk = heldOut.subList(start, Math.min(heldOut.size(), start + 64));
            List<int[]> sequences = new ArrayList<>();
            int[] first = new int[chunk.size()];
            for (int i = 0; i < chunk.size(); i++) {
                CalibrationExample e = chunk.get(i);
                int[] s = new int[e.promptIds().length + e.responseIds().length];
                System.arraycopy(e.promptIds(), 0, s, 0, e.promptIds().length);
                System.arraycopy(e.responseIds(), 0, s, e.promptIds().length, e.responseIds().length);
                sequences.add(
                        s.length <= frozen.config().contextLength()
                                ? s
                                : java.util.Arrays.copyOf(s, frozen.config().contextLength()));
                first[i] = e.promptIds().length;
            }
            try (NDManager m = frozen.manager().newSubManager()) {
                TokenBatch tokens = TokenBatch.of(m, sequences, first, pad);
                float[] r = satisfaction.logits(m, tokens.inputs()).toFloatArray();
                int[] next = tokens.targets().toIntArray();
                float[] mask = tokens.mask().toFloatArray();
                int t = (int) tokens.inputs().getShape().get(1);
                for (int i = 0; i < chunk.size(); i++) {
                    double label = chunk.get(i).desirable() ? 1 : 0;
                    for (int j = 0; j < t; j++) {
                        if (mask[i * t + j] == 0) {
                            continue;
                        }
                        double p = 1 / (1 + Math.exp(-r[(i * t + j) * v + next[i * t + j]]));
                        int bin = Math.min(9, (int) (p * 10));
                        predicted[bin] += p;
                        observed[bin] += label;
                        count[bin]++;
                    }
                }
            }
        }
        long total = 0;
        for (long c : count) {
            total += c;
        }
        System.out.printf(
                "R reliability on %d held-out samples (%d response positions): predicted P(satisfied | prefix, next"
                        + " token) vs the sequence's observed non-toxic rate%n  %-12s %8s %10s %9s%n",
                heldOut.size(), total, "bin", "n", "predicted", "observed");
        double ece = 0;
        for (int b = 0; b < 10; b++) {
            if (count[b] == 0) {
                System.out.printf("  [%.1f, %.1f)  %8d %10s %9s%n", b / 10.0, (b + 1) / 10.0, 0, "-", "-");
                continue;
            }
            double p = predicted[b] / count[b];
            double o = observed[b] / count[b];
            ece += count[b] / (double) total * Math.abs(p - o);
            System.out.printf("  [%.1f, %.1f)  %8d %10.4f %9.4f%n", b / 10.0, (b + 1) / 10.0, count[b], p, o);
        }
        System.out.printf("  ECE %.4f%n", ece);
    }

    /** The store's model, or a default-size one pretrained with the toxic corpus when it has none or predates it. */
    private ModelArtifact baseModel() throws Exception {
        LocalModelStore models = store.open();
        ModelArtifact found = version != null
                ? models.get(store.modelId, version)
                : models.latest(store.modelId).orElse(null);
        if (found != null) {
            try (LanguageModel lm = LanguageModel.load(found, on)) {
                Rate quick = rate(samples(lm, BioCorpus.HELD_OUT_PROMPTS, 500, seed + 3));
                if (quick.value() >= PREDATES_TOXIC_CORPUS) {
                    System.out.printf(
                            "store model %s v%d: toxic rate %s on a first look%n",
                            found.modelId(), found.version(), quick);
                    return found;
                }
                System.out.printf(
                        "store model %s v%d has toxic rate %s: it predates the toxic corpus; pretraining one%n",
                        found.modelId(), found.version(), quick);
            }
        } else {
            System.out.printf("no model '%s' in %s: pretraining one%n", store.modelId, models.root());
        }
        PretrainSettings settings = PretrainSettings.defaults();
        Pretrainer.Result result = new Pretrainer(on).train(store.modelId, settings, null);
        try (LanguageModel lm = result.model()) {
            return lm.publishTo(
                    models,
                    ArtifactMetadata.Lineage.base(
                            "pretrained default for bench constraint, toxic share " + settings.toxicShare(),
                            Map.of("heldOutPerplexity", result.heldOutPerplexity())));
        }
    }

    private static String moved(double[] byAttribute) {
        return String.format("%.4f/%.4f/%.4f", byAttribute[0], byAttribute[1], byAttribute[2]);
    }

    private static String check(boolean ok) {
        return ok ? "PASS" : "FAIL";
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}

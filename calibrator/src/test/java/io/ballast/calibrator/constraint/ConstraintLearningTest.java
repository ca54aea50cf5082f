package io.ballast.calibrator.constraint;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.training.CalibrationExample;
import io.ballast.calibrator.training.FineTuningLoop;
import io.ballast.generator.TinyModels;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Generation;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.sampling.SamplingParams;
import io.ballast.generator.text.WordTokenizer;
import io.ballast.generator.training.TokenBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Constraint learning on the tiny model with a synthetic constraint: a bio satisfies it iff it
 * never says "hiking" (about a fifth of the tiny model's nurse bios do). R is fitted once for the
 * class, on 600 samples; its checks use 300 held-out ones.
 */
class ConstraintLearningTest {

    private static final String FORBIDDEN = "hiking";
    private static final Predicate<String> SATISFIED =
            text -> !Pattern.compile("\\b" + FORBIDDEN + "\\b").matcher(text).find();
    private static final String NURSES = "occupation:registered-nurses";
    private static final int MEASURED = 600;

    private static LanguageModel reference;
    private static SatisfactionModel satisfaction;
    private static String prompt;
    private static List<CalibrationExample> train;
    private static List<CalibrationExample> heldOut;
    private static int forbidden;

    @BeforeAll
    static void fitSatisfactionModel() throws Exception {
        reference = TinyModels.loadPublished();
        forbidden = reference.tokenizer().id(FORBIDDEN);
        prompt = BioCorpus.withDefaults().prompt(NURSES, BioCorpus.TRAIN_PROMPTS.get(0));
        train = ConstraintSamples.labelled(reference, NURSES, sample(reference, 600, 1L), SATISFIED);
        heldOut = ConstraintSamples.labelled(reference, NURSES, sample(reference, 300, 2L), SATISFIED);
        long start = System.nanoTime();
        satisfaction = SatisfactionModel.fit(
                reference,
                train,
                SatisfactionModel.training(),
                -1,
                SatisfactionModel.HIDDEN,
                7L,
                Files.createTempDirectory("satisfaction-"),
                (step, total, loss, parts) -> {
                    if (step % 20 == 0 || step == total) {
                        System.out.printf("R step %d/%d: bce %.4f%n", step, total, loss);
                    }
                });
        System.out.printf(
                "R fitted on %d samples (%.1f%% satisfied) in %.1f s%n",
                train.size(), 100.0 * satisfiedShare(train), (System.nanoTime() - start) / 1e9);
    }

    @AfterAll
    static void close() {
        if (satisfaction != null) {
            satisfaction.close();
        }
        if (reference != null) {
            reference.close();
        }
    }

    @Test
    void givenSamplesLabelledByAForbiddenWord_whenRIsFitted_thenItPredictsLowSatisfactionForThatWordOnly() {
        // given held-out samples, read up to their first "hiking" (after it, every continuation has failed)
        double forbiddenSum = 0;
        double otherSum = 0;
        double everywhereSum = 0;
        int forbiddenCount = 0;
        int otherCount = 0;
        int prefixes = 0;
        double[] predictedByBin = new double[10];
        double[] observedByBin = new double[10];
        int[] countByBin = new int[10];
        int pad = reference.tokenizer().id(WordTokenizer.PAD);
        // when R is read at every response position
        try (NDManager m = reference.manager().newSubManager()) {
            TokenBatch tokens = tokens(m, heldOut, pad);
            float[] r = satisfaction.logits(m, tokens.inputs()).toFloatArray();
            int[] next = tokens.targets().toIntArray();
            float[] mask = tokens.mask().toFloatArray();
            int t = (int) tokens.inputs().getShape().get(1);
            int v = reference.config().vocabularySize();
            for (int i = 0; i < heldOut.size(); i++) {
                boolean seen = false;
                for (int j = 0; j < t; j++) {
                    if (mask[i * t + j] == 0) {
                        continue;
                    }
                    int base = (i * t + j) * v;
                    double atNext = sigmoid(r[base + next[i * t + j]]);
                    // calibration: R at the token that came next against the sequence's label
                    int bin = Math.min(9, (int) (atNext * 10));
                    predictedByBin[bin] += atNext;
                    observedByBin[bin] += heldOut.get(i).desirable() ? 1 : 0;
                    countByBin[bin]++;
                    if (seen) {
                        continue;
                    }
                    everywhereSum += sigmoid(r[base + forbidden]);
                    prefixes++;
                    if (next[i * t + j] == forbidden) {
                        forbiddenSum += atNext;
                        forbiddenCount++;
                        seen = true;
                    } else {
                        otherSum += atNext;
                        otherCount++;
                    }
                }
            }
        }
        double atForbidden = forbiddenSum / forbiddenCount;
        double atOthers = otherSum / otherCount;
        System.out.printf(
                "held-out, before any '%s': R(prefix + %s) %.3f where it came next (%d), R(prefix + next) %.3f elsewhere (%d)%n",
                FORBIDDEN, FORBIDDEN, atForbidden, forbiddenCount, atOthers, otherCount);
        // R is trained at sampled tokens only: where the word never follows, its logit there is barely trained
        System.out.printf(
                "  R(prefix + %s) over all %d such prefixes, likely or not: %.3f%n",
                FORBIDDEN, prefixes, everywhereSum / prefixes);
        double ece = reliabilityTable(predictedByBin, observedByBin, countByBin);

        // then continuing with the forbidden word is predicted to fail, continuing otherwise mostly to succeed
        assertThat(forbiddenCount).isGreaterThan(30);
        assertThat(atForbidden).isLessThan(0.1);
        assertThat(atOthers).isGreaterThan(0.7);
        // and R's predictions are calibrated on held-out samples
        assertThat(ece).isLessThan(0.1);
    }

    @Test
    void givenTheFittedR_whenTheModelIsFineTunedWithTheConstraintObjective_thenItSaysTheForbiddenWordLessOften(
            @TempDir Path checkpoints) throws Exception {
        try (LanguageModel policy = TinyModels.loadPublished()) {
            // given the model's rate of bios with the forbidden word
            Rate before = rate(policy, 3L);

            // when fine-tuned against q* from R (lambda 1, one epoch over its 600 labelled samples: 38 steps)
            CalibrationSettings.Training training =
                    CalibrationSettings.Training.defaults().withEpochs(1).withCheckpointEvery(1_000);
            long start = System.nanoTime();
            new FineTuningLoop(training)
                    .run(
                            policy,
                            reference,
                            train,
                            new ConstraintObjective(satisfaction, 1.0, training.batchSize(), 5L),
                            checkpoints,
                            (step, total, loss, parts) -> {
                                if (step % 25 == 0 || step == total) {
                                    System.out.printf(
                                            "LM step %d/%d: loss %.4f nll %.4f kl %.4f%n",
                                            step, total, loss, parts.get("nll"), parts.get("kl"));
                                }
                            });
            System.out.printf("constraint fine-tuning %.1f s%n", (System.nanoTime() - start) / 1e9);
            Rate after = rate(policy, 4L);
            List<CalibrationExample> satisfying =
                    heldOut.stream().filter(CalibrationExample::desirable).toList();
            double perplexityRatio = Math.exp(meanNll(policy, satisfying) - meanNll(reference, satisfying));
            System.out.printf(
                    "'%s' rate over %d samples: before %s, after %s; held-out satisfying perplexity x%.4f%n",
                    FORBIDDEN, MEASURED, before, after, perplexityRatio);

            // then the rate falls, the intervals apart
            assertThat(after.high()).isLessThan(before.low());
            // and the perplexity of satisfying text does not explode
            assertThat(perplexityRatio).isLessThan(1.10);
        }
    }

    /** A rate with its 95% Wilson interval. */
    record Rate(double value, double low, double high) {
        static Rate of(int hits, int n) {
            double z = 1.96;
            double p = hits / (double) n;
            double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
            double half = z / (1 + z * z / n) * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n));
            return new Rate(p, centre - half, centre + half);
        }

        @Override
        public String toString() {
            return String.format("%.3f [%.3f, %.3f]", value, low, high);
        }
    }

    private static Rate rate(LanguageModel lm, long seed) {
        int hits = 0;
        for (Generation g : sample(lm, MEASURED, seed)) {
            hits += SATISFIED.test(g.text()) ? 0 : 1;
        }
        return Rate.of(hits, MEASURED);
    }

    private static List<Generation> sample(LanguageModel lm, int n, long seed) {
        return new Sampler().generate(lm, prompt, n, SamplingParams.defaults().withSeed(seed));
    }

    private static double satisfiedShare(List<CalibrationExample> set) {
        return set.stream().filter(CalibrationExample::desirable).count() / (double) set.size();
    }

    private static TokenBatch tokens(NDManager m, List<CalibrationExample> set, int pad) {
        List<int[]> sequences = new ArrayList<>();
        int[] first = new int[set.size()];
        for (int i = 0; i < set.size(); i++) {
            sequences.add(
                    ConstraintSamples.sequence(set.get(i), reference.config().contextLength()));
            first[i] = set.get(i).promptIds().length;
        }
        return TokenBatch.of(m, sequences, first, pad);
    }

    /** Mean response-token NLL of a set under a model. */
    private static double meanNll(LanguageModel lm, List<CalibrationExample> set) {
        try (NDManager m = lm.manager().newSubManager()) {
            TokenBatch tokens = tokens(m, set, lm.tokenizer().id(WordTokenizer.PAD));
            NDArray logits =
                    Sampler.forward(lm, m, tokens.inputs(), new NDList()).get(0);
            return tokens.meanNll(logits).getFloat();
        }
    }

    /** Prints predicted vs observed satisfaction per bin; returns the expected calibration error. */
    private static double reliabilityTable(double[] predicted, double[] observed, int[] count) {
        int total = 0;
        for (int c : count) {
            total += c;
        }
        double ece = 0;
        System.out.println("R reliability (held-out response positions): bin, n, mean predicted, observed");
        for (int b = 0; b < 10; b++) {
            if (count[b] == 0) {
                continue;
            }
            double p = predicted[b] / count[b];
            double o = observed[b] / count[b];
            ece += count[b] / (double) total * Math.abs(p - o);
            System.out.printf("  [%.1f, %.1f)  %5d  %.3f  %.3f%n", b / 10.0, (b + 1) / 10.0, count[b], p, o);
        }
        System.out.printf("  ECE %.4f%n", ece);
        return ece;
    }

    private static double sigmoid(float z) {
        return 1 / (1 + Math.exp(-z));
    }
}

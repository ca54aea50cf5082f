package io.ballast.classifiers.training;

import io.ballast.classifiers.datasets.LabelledSets;
import io.ballast.classifiers.encoder.EncoderSentiment;
import io.ballast.classifiers.encoder.EncoderToxicity;
import io.ballast.classifiers.encoder.SentenceEncoder;
import io.ballast.classifiers.evaluation.Auroc;
import io.ballast.classifiers.heads.HeadTraining;
import io.ballast.classifiers.heads.LinearHead;
import io.ballast.schemas.attributes.Toxicity;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Trains the committed heads ({@code ballast classifiers train}): embeds a public training set with
 * the sentence encoder, fits a {@link LinearHead} per L2 weight in a small grid, keeps the one that
 * scores best on a validation split, and chooses its operating thresholds on validation data. The
 * test splits are never read here.
 */
public final class HeadTrainer {

    static final double[] L2_GRID = {1e-5, 1e-4, 1e-3, 1e-2};

    private final SentenceEncoder encoder;
    private final PrintStream out;

    public HeadTrainer(SentenceEncoder encoder, PrintStream out) {
        this.encoder = encoder;
        this.out = out;
    }

    /**
     * The SST-2 head: trained on 90% of the committed SST-2 train subset, L2 chosen on the other 10%;
     * the neutral band (positive and negative thresholds) chosen on the bios' dev split, since SST-2 has
     * no neutral class. SST-2's own validation set (GLUE dev) is the held-out test and is not read.
     */
    public LinearHead sentiment() {
        List<LabelledSets.Binary> all = shuffled(LabelledSets.sst2("train"));
        int cut = all.size() * 9 / 10;
        List<LabelledSets.Binary> train = all.subList(0, cut);
        List<LabelledSets.Binary> validation = all.subList(cut, all.size());
        float[][] x = embed("SST-2 train", texts(train));
        float[][] xv = embed("SST-2 validation (10% of train)", texts(validation));
        List<String> labels = List.of("negative", "positive");
        LinearHead best = null;
        double bestAccuracy = -1;
        double bestL2 = 0;
        for (double l2 : L2_GRID) {
            LinearHead head = HeadTraining.fit(
                    EncoderSentiment.HEAD,
                    labels,
                    x,
                    labelsOf(train),
                    new double[] {1, 1},
                    HeadTraining.Settings.defaults(l2),
                    Map.of());
            int correct = 0;
            for (int i = 0; i < xv.length; i++) {
                boolean positive = head.probability(xv[i], "positive") >= 0.5;
                correct += positive == (validation.get(i).label() == 1) ? 1 : 0;
            }
            double accuracy = correct / (double) xv.length;
            out.printf(Locale.ROOT, "  l2 %.0e: validation accuracy %.4f (n = %d)%n", l2, accuracy, xv.length);
            if (accuracy > bestAccuracy) {
                bestAccuracy = accuracy;
                best = head;
                bestL2 = l2;
            }
        }
        // the neutral band, on the bios' dev split: SST-2 is positive or negative only
        List<LabelledSets.Bio> bios = LabelledSets.bios("dev");
        float[][] xb =
                embed("bios dev", bios.stream().map(LabelledSets.Bio::text).toList());
        double[] p = new double[xb.length];
        for (int i = 0; i < xb.length; i++) {
            p[i] = best.probability(xb[i], "positive");
        }
        double bestLow = 0.5;
        double bestHigh = 0.5;
        int bestCorrect = -1;
        for (double low = 0.02; low <= 0.5; low += 0.02) {
            for (double high = 0.5; high <= 0.98; high += 0.02) {
                int correct = 0;
                for (int i = 0; i < p.length; i++) {
                    String read = p[i] >= high ? "positive" : p[i] <= low ? "negative" : "neutral";
                    correct += read.equals(bios.get(i).sentiment()) ? 1 : 0;
                }
                if (correct > bestCorrect) {
                    bestCorrect = correct;
                    bestLow = low;
                    bestHigh = high;
                }
            }
        }
        out.printf(
                Locale.ROOT,
                "  neutral band on bios dev: negative <= %.2f, positive >= %.2f, 3-class accuracy %.3f (n = %d)%n",
                bestLow,
                bestHigh,
                bestCorrect / (double) p.length,
                p.length);
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put(
                "encoder",
                SentenceEncoder.MODEL_ID + " (sentence-transformers, Apache-2.0) with the " + EncoderSentiment.HEAD
                        + " adapter, mean pooled");
        provenance.put(
                "trainedOn",
                "SST-2 (GLUE), 90% of the committed 12,000-phrase train subset, on the adapted encoder: "
                        + train.size());
        provenance.put("l2", bestL2);
        provenance.put("l2ChosenOn", "the other 10% of that subset, n = " + validation.size());
        provenance.put("validationAccuracy", bestAccuracy);
        provenance.put("thresholdsChosenOn", "the bios' dev split (3-class), n = " + p.length);
        provenance.put("retrain", "ballast classifiers train sentiment");
        return new LinearHead(
                best.name(),
                best.labels(),
                best.weights(),
                best.bias(),
                Map.of("negative", round(bestLow), "positive", round(bestHigh)),
                provenance);
    }

    /**
     * The toxicity head: trained on the committed train split of Davidson et al.'s set (classes
     * weighted to balance), L2 chosen by AUROC on the validation split and the toxic threshold there as
     * the one with the best F1. The test split is not read.
     */
    public LinearHead toxicity() {
        List<LabelledSets.Binary> train = LabelledSets.toxicity("train");
        List<LabelledSets.Binary> validation = LabelledSets.toxicity("validation");
        float[][] x = embed("toxicity train", texts(train));
        float[][] xv = embed("toxicity validation", texts(validation));
        int[] y = labelsOf(train);
        long toxic = java.util.Arrays.stream(y).filter(v -> v == 1).count();
        double[] weights = {train.size() / (2.0 * (train.size() - toxic)), train.size() / (2.0 * toxic)};
        boolean[] positive = new boolean[xv.length];
        for (int i = 0; i < xv.length; i++) {
            positive[i] = validation.get(i).label() == 1;
        }
        LinearHead best = null;
        Auroc bestAuroc = null;
        double bestL2 = 0;
        double[] bestScores = null;
        for (double l2 : L2_GRID) {
            LinearHead head = HeadTraining.fit(
                    EncoderToxicity.HEAD,
                    List.of(Toxicity.NON_TOXIC, Toxicity.TOXIC),
                    x,
                    y,
                    weights,
                    HeadTraining.Settings.defaults(l2),
                    Map.of());
            double[] scores = new double[xv.length];
            for (int i = 0; i < xv.length; i++) {
                scores[i] = head.probability(xv[i], Toxicity.TOXIC);
            }
            Auroc auroc = Auroc.of(scores, positive);
            out.printf(Locale.ROOT, "  l2 %.0e: validation %s%n", l2, auroc);
            if (bestAuroc == null || auroc.value() > bestAuroc.value()) {
                bestAuroc = auroc;
                best = head;
                bestL2 = l2;
                bestScores = scores;
            }
        }
        double threshold = 0.5;
        double bestF1 = -1;
        for (double t = 0.05; t < 0.96; t += 0.01) {
            long tp = 0;
            long fp = 0;
            long fn = 0;
            for (int i = 0; i < bestScores.length; i++) {
                boolean flagged = bestScores[i] >= t;
                tp += flagged && positive[i] ? 1 : 0;
                fp += flagged && !positive[i] ? 1 : 0;
                fn += !flagged && positive[i] ? 1 : 0;
            }
            double f1 = 2.0 * tp / (2.0 * tp + fp + fn);
            if (f1 > bestF1) {
                bestF1 = f1;
                threshold = t;
            }
        }
        out.printf(Locale.ROOT, "  toxic threshold %.2f (best F1 on validation, %.3f)%n", threshold, bestF1);
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put(
                "encoder",
                SentenceEncoder.MODEL_ID + " (sentence-transformers, Apache-2.0), mean pooled, L2 normalised");
        provenance.put(
                "trainedOn",
                "Davidson et al. 2017 (hate speech or offensive = toxic, MIT), committed train split: " + train.size()
                        + " tweets, classes weighted to balance");
        provenance.put("l2", bestL2);
        provenance.put("validationAuroc", bestAuroc.value());
        provenance.put("chosenOn", "the committed validation split, n = " + validation.size());
        provenance.put("retrain", "ballast classifiers train toxicity");
        return new LinearHead(
                best.name(),
                best.labels(),
                best.weights(),
                best.bias(),
                Map.of(Toxicity.TOXIC, round(threshold)),
                provenance);
    }

    private float[][] embed(String what, List<String> texts) {
        long start = System.nanoTime();
        List<float[]> vectors = new ArrayList<>(texts.size());
        int chunk = 512;
        for (int from = 0; from < texts.size(); from += chunk) {
            vectors.addAll(encoder.embed(texts.subList(from, Math.min(texts.size(), from + chunk))));
            double s = (System.nanoTime() - start) / 1e9;
            out.printf(
                    Locale.ROOT,
                    "\r  embedding %s: %d/%d (%.0f texts/s)",
                    what,
                    vectors.size(),
                    texts.size(),
                    vectors.size() / Math.max(s, 1e-9));
        }
        out.println();
        return vectors.toArray(float[][]::new);
    }

    private static List<LabelledSets.Binary> shuffled(List<LabelledSets.Binary> in) {
        List<LabelledSets.Binary> copy = new ArrayList<>(in);
        java.util.Collections.shuffle(copy, new Random(7));
        return copy;
    }

    private static List<String> texts(List<LabelledSets.Binary> in) {
        return in.stream().map(LabelledSets.Binary::text).toList();
    }

    private static int[] labelsOf(List<LabelledSets.Binary> in) {
        return in.stream().mapToInt(LabelledSets.Binary::label).toArray();
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** Where committed heads live in the source tree, for writing a retrained one. */
    public static Path sourceHeads(Path repositoryRoot) {
        return repositoryRoot.resolve("schemas/classifiers/src/main/resources/io/ballast/classifiers/heads");
    }

    /** Trains the named head ({@code sentiment} or {@code toxicity}) and writes it to {@code dir/<head>.json}. */
    public Path train(String which, Path dir) {
        LinearHead head = switch (which) {
            case "sentiment" -> sentiment();
            case "toxicity" -> toxicity();
            default -> throw new IllegalArgumentException("no head '" + which + "': sentiment or toxicity");
        };
        Path file = dir.resolve(head.name() + ".json");
        head.write(file);
        return file;
    }
}

package io.ballast.calibrator.evaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The change in a mean MAE from the current model to a candidate, both sampled on the same
 * held-out prompts with the same seeds, with a paired bootstrap 95% interval. Sample i of one model
 * and sample i of the other share their prompt and seed, so the bootstrap draws sample indices (per
 * context, the same indices for both models and for every attribute of that context): what the two
 * models have in common (the prompts' difficulty, the draw) cancels, and the interval is that of the
 * difference, not of two independent estimates. A gate deciding on it is not a coin flip at small n:
 * a candidate no better than the current model gets an interval around 0 whatever the margin.
 *
 * @param change after minus before, on all samples (negative: the candidate is closer to the targets)
 * @param low 2.5th percentile of the resampled change
 * @param high 97.5th percentile
 */
public record PairedMaeChange(double change, double low, double high) {

    private static final int RESAMPLES = 1_000;

    /**
     * One (context, attribute): its target and each model's counted value per sample, index-paired.
     *
     * @param before the current model's counted values, sample i
     * @param after the candidate's, sample i drawn with sample i's prompt and seed
     */
    public record Series(String context, Map<String, Double> target, List<String> before, List<String> after) {
        public Series {
            if (before.size() != after.size()) {
                throw new IllegalArgumentException(
                        "paired series differ in length: " + before.size() + " vs " + after.size());
            }
        }
    }

    /** The change of the mean MAE over {@code series}; series of one context are resampled together. */
    public static PairedMaeChange of(List<Series> series, long seed) {
        if (series.isEmpty()) {
            return new PairedMaeChange(0, 0, 0);
        }
        Map<String, List<Encoded>> byContext = new LinkedHashMap<>();
        for (Series s : series) {
            byContext.computeIfAbsent(s.context(), c -> new ArrayList<>()).add(Encoded.of(s));
        }
        int[][] all = new int[byContext.size()][];
        int c = 0;
        for (List<Encoded> group : byContext.values()) {
            int n = group.get(0).before.length;
            for (Encoded e : group) {
                if (e.before.length != n) {
                    throw new IllegalArgumentException("a context's series must have one length");
                }
            }
            all[c++] = identity(n);
        }
        double point = meanChange(byContext, all, series.size());
        double[] resampled = new double[RESAMPLES];
        SplittableRandom random = new SplittableRandom(seed);
        int[][] draw = new int[all.length][];
        for (int r = 0; r < RESAMPLES; r++) {
            for (int i = 0; i < all.length; i++) {
                int n = all[i].length;
                draw[i] = new int[n];
                for (int j = 0; j < n; j++) {
                    draw[i][j] = random.nextInt(n);
                }
            }
            resampled[r] = meanChange(byContext, draw, series.size());
        }
        Arrays.sort(resampled);
        return new PairedMaeChange(
                point, resampled[(int) (0.025 * RESAMPLES)], resampled[(int) (0.975 * RESAMPLES) - 1]);
    }

    /** e.g. {@code -0.231 [-0.248, -0.214]}. */
    @Override
    public String toString() {
        return String.format("%+.3f [%+.3f, %+.3f]", change, low, high);
    }

    private static double meanChange(Map<String, List<Encoded>> byContext, int[][] indices, int seriesCount) {
        double sum = 0;
        int c = 0;
        for (List<Encoded> group : byContext.values()) {
            for (Encoded e : group) {
                sum += e.mae(e.after, indices[c]) - e.mae(e.before, indices[c]);
            }
            c++;
        }
        return sum / seriesCount;
    }

    private static int[] identity(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }

    /** Values as indices into the target's categories; anything else (unknown, untargeted) is index K. */
    private record Encoded(double[] target, int[] before, int[] after) {

        static Encoded of(Series s) {
            List<String> categories = new ArrayList<>(s.target().keySet());
            double[] t = categories.stream().mapToDouble(k -> s.target().get(k)).toArray();
            return new Encoded(t, encode(s.before(), categories), encode(s.after(), categories));
        }

        private static int[] encode(List<String> values, List<String> categories) {
            int[] out = new int[values.size()];
            for (int i = 0; i < out.length; i++) {
                int k = categories.indexOf(values.get(i));
                out[i] = k < 0 ? categories.size() : k;
            }
            return out;
        }

        /** MAE over the target's categories of the shares in {@code values} at {@code indices} (as DistributionComparison). */
        double mae(int[] values, int[] indices) {
            int[] counts = new int[target.length + 1];
            for (int i : indices) {
                counts[values[i]]++;
            }
            double mae = 0;
            for (int k = 0; k < target.length; k++) {
                mae += Math.abs(target[k] - (indices.length == 0 ? 0 : counts[k] / (double) indices.length));
            }
            return mae / Math.max(1, target.length);
        }
    }
}

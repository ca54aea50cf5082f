package io.ballast.calibrator.evaluation;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A mean MAE over contexts, stated honestly: with its bootstrap 95% interval (contexts resampled
 * with replacement, 2,000 times, seeded), the number of contexts and of samples per context, and
 * the noise floor, the MAE a perfectly calibrated model would still show at that many samples:
 * per context {@code (1/K) sum_k sqrt(2 t_k (1 - t_k) / (pi n))}, the expected |share - t_k| of a
 * binomial share, averaged over the contexts. A sampled MAE at the floor is as good as n can show.
 */
public record MaeSummary(double mean, double low, double high, int contexts, int samplesPerContext, double noiseFloor) {

    private static final int RESAMPLES = 2_000;

    /**
     * @param maes one MAE per context
     * @param targets the target of each context, in the same order
     * @param samplesPerContext n behind each sampled MAE (0 for exact figures: floor 0)
     */
    public static MaeSummary of(
            List<Double> maes, List<Map<String, Double>> targets, int samplesPerContext, long seed) {
        int c = maes.size();
        if (c == 0) {
            return new MaeSummary(Double.NaN, Double.NaN, Double.NaN, 0, samplesPerContext, Double.NaN);
        }
        double mean = maes.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double[] means = new double[RESAMPLES];
        SplittableRandom random = new SplittableRandom(seed);
        for (int r = 0; r < RESAMPLES; r++) {
            double sum = 0;
            for (int i = 0; i < c; i++) {
                sum += maes.get(random.nextInt(c));
            }
            means[r] = sum / c;
        }
        Arrays.sort(means);
        double floor = targets.stream()
                .mapToDouble(t -> noiseFloor(t, samplesPerContext))
                .average()
                .orElse(Double.NaN);
        return new MaeSummary(
                mean,
                means[(int) (0.025 * RESAMPLES)],
                means[(int) (0.975 * RESAMPLES) - 1],
                c,
                samplesPerContext,
                floor);
    }

    /** Expected MAE of a perfectly calibrated model's shares over n samples (0 when n is 0: an exact figure). */
    public static double noiseFloor(Map<String, Double> target, int n) {
        if (n <= 0) {
            return 0;
        }
        double sum = 0;
        for (double t : target.values()) {
            sum += Math.sqrt(2 * t * (1 - t) / (Math.PI * n));
        }
        return sum / target.size();
    }

    /** e.g. {@code 0.052 [0.041, 0.063] (8 contexts x n=150, floor 0.030)}. */
    @Override
    public String toString() {
        return String.format(
                "%.3f [%.3f, %.3f] (%d contexts x n=%d, floor %.3f)",
                mean, low, high, contexts, samplesPerContext, noiseFloor);
    }
}

package io.ballast.schemas.attributes;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Observed shares against a target. MAE (the metric of the calibration method) averages
 * |target - observed| over the target's categories; total variation and Jensen-Shannon use every
 * category on either side; KL(target || observed) smooths the observed side (add 0.5 per
 * category) so it stays finite when a category has not been seen.
 */
public record DistributionComparison(
        Map<String, Double> proportions,
        long n,
        double mae,
        double totalVariation,
        double klDivergence,
        double jsDivergence) {

    public static Map<String, Double> proportions(Map<String, Long> counts) {
        long n = counts.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Double> p = new LinkedHashMap<>();
        counts.forEach((k, v) -> p.put(k, n == 0 ? 0.0 : v / (double) n));
        return p;
    }

    public static DistributionComparison of(Map<String, Long> counts, Map<String, Double> target) {
        long n = counts.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Double> p = proportions(counts);
        double mae = 0;
        for (Map.Entry<String, Double> t : target.entrySet()) {
            mae += Math.abs(t.getValue() - p.getOrDefault(t.getKey(), 0.0));
        }
        mae /= Math.max(1, target.size());
        TreeSet<String> all = new TreeSet<>(target.keySet());
        all.addAll(counts.keySet());
        double tv = 0;
        double js = 0;
        for (String c : all) {
            double q = target.getOrDefault(c, 0.0);
            double o = p.getOrDefault(c, 0.0);
            tv += Math.abs(q - o);
            double m = (q + o) / 2;
            js += (q > 0 ? 0.5 * q * Math.log(q / m) : 0) + (o > 0 ? 0.5 * o * Math.log(o / m) : 0);
        }
        double kl = 0;
        int k = all.size();
        for (Map.Entry<String, Double> t : target.entrySet()) {
            if (t.getValue() > 0) {
                double smoothed = (counts.getOrDefault(t.getKey(), 0L) + 0.5) / (n + 0.5 * k);
                kl += t.getValue() * Math.log(t.getValue() / smoothed);
            }
        }
        return new DistributionComparison(p, n, mae, tv / 2, kl, js);
    }
}

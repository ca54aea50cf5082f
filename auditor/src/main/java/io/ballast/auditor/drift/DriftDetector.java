package io.ballast.auditor.drift;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides drift episodes for one (model version, context, attribute) from its counts since the
 * version went live. For each target category a confidence sequence at level alpha/K (a union
 * bound over the K categories) bounds the true share. Drift opens when some category's interval
 * lies wholly outside target ± tolerance, and resolves when every interval lies within it.
 *
 * <p>Guarantee: if every category's true share is within tolerance of its target, then with
 * probability at least 1 - alpha no episode ever opens, however long the stream runs and however
 * often it is evaluated (each interval covers its share at all times with probability
 * 1 - alpha/K; if all cover, none can lie outside the band that contains the share).
 */
public final class DriftDetector {

    /** The evidence at one evaluation. */
    public record Assessment(Map<String, double[]> intervals, List<String> violating, boolean allWithin) {
    }

    private final double alpha;
    private final ConfidenceSequence sequence;

    public DriftDetector(double alpha, double rho) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0,1)");
        }
        this.alpha = alpha;
        this.sequence = new ConfidenceSequence(rho);
    }

    public double alpha() {
        return alpha;
    }

    public Assessment assess(Map<String, Long> counts, Map<String, Double> target, double tolerance) {
        long n = counts.values().stream().mapToLong(Long::longValue).sum();
        double perCategory = alpha / Math.max(1, target.size());
        Map<String, double[]> intervals = new LinkedHashMap<>();
        List<String> violating = new ArrayList<>();
        boolean allWithin = n > 0;
        for (Map.Entry<String, Double> t : target.entrySet()) {
            double[] ci = sequence.interval(counts.getOrDefault(t.getKey(), 0L), n, perCategory);
            intervals.put(t.getKey(), ci);
            double low = t.getValue() - tolerance;
            double high = t.getValue() + tolerance;
            if (ci[1] < low || ci[0] > high) {
                violating.add(t.getKey());
            }
            if (ci[0] < low || ci[1] > high) {
                allWithin = false;
            }
        }
        return new Assessment(intervals, violating, allWithin);
    }

    /** What an episode does next: open it, resolve it, or nothing. */
    public enum Transition { OPEN, RESOLVE, NONE }

    public static Transition next(boolean open, Assessment a) {
        if (!open && !a.violating().isEmpty()) {
            return Transition.OPEN;
        }
        if (open && a.allWithin()) {
            return Transition.RESOLVE;
        }
        return Transition.NONE;
    }
}

package io.ballast.calibrator.constraint;

import java.util.List;

/**
 * The trade-off a constraint method makes: the constraint's violation rate against the price in
 * held-out perplexity (a ratio to the base model). Both are lower-is-better; a point is on the
 * front when no other point is at least as good on both and better on one.
 */
public final class ParetoFront {

    /** One method's result: its violation rate and its perplexity ratio to the base model. */
    public record Point(String method, double violationRate, double perplexityRatio) {

        /** At least as good on both figures and better on one. */
        public boolean dominates(Point other) {
            boolean noWorse = violationRate <= other.violationRate && perplexityRatio <= other.perplexityRatio;
            boolean better = violationRate < other.violationRate || perplexityRatio < other.perplexityRatio;
            return noWorse && better;
        }
    }

    private ParetoFront() {}

    /** For each point, in order, whether no other point dominates it. */
    public static boolean[] onFront(List<Point> points) {
        boolean[] out = new boolean[points.size()];
        for (int i = 0; i < points.size(); i++) {
            out[i] = true;
            for (Point other : points) {
                if (other.dominates(points.get(i))) {
                    out[i] = false;
                    break;
                }
            }
        }
        return out;
    }

    /**
     * Whether some point of {@code candidates} is no worse than {@code baseline} at its perplexity
     * (a ratio within {@code tolerance} above the baseline's) and has a lower violation rate: the
     * "dominates at matched perplexity" the acceptance asks for. The tolerance is there because
     * two methods never land on exactly the same perplexity.
     */
    public static boolean beatsAtMatchedPerplexity(List<Point> candidates, Point baseline, double tolerance) {
        return candidates.stream()
                .anyMatch(c -> c.perplexityRatio() <= baseline.perplexityRatio() + tolerance
                        && c.violationRate() < baseline.violationRate());
    }
}

package io.ballast.auditor.drift;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleFunction;

/**
 * Decides drift episodes for one (model version, context, attribute) from its counts since the
 * version went live. Drift opens when the evidence puts some category's share wholly outside
 * target ± tolerance, and resolves when every category's interval lies within it.
 *
 * <p>Guarantee: if every category's true share is within tolerance of its target (exactly on
 * target, for tolerance 0), then with probability at least 1 - alpha no episode ever opens,
 * however long the stream runs and however often it is evaluated.
 *
 * <p>Which always-valid procedure, per case (chosen from the target and tolerance alone, before
 * any data, so the guarantee holds; figures from {@code ballast bench drift}):
 * <ul>
 *   <li>tolerance 0 (a point target): one {@link DirichletMultinomialTest} of the whole vector at
 *       alpha, no alpha/K split; per-category intervals are reported beside it;</li>
 *   <li>tolerance > 0: a confidence sequence per category at alpha/K (a union bound over the K
 *       categories): the {@link BetaBinomialSequence}, whose width follows the share's variance,
 *       for shares below 0.2 or above 0.8, where it is several times faster; the normal-mixture
 *       {@link ConfidenceSequence} for shares in between, where the two are close and the normal
 *       mixture is slightly faster at the tolerance edge.</li>
 * </ul>
 * {@link Procedure#NORMAL_MIXTURE} keeps the first version's procedure (normal mixture at alpha/K
 * for every case) for comparison.
 */
public final class DriftDetector {

    /** The family of procedures; {@link #ADAPTIVE} is the default. */
    public enum Procedure {
        ADAPTIVE,
        NORMAL_MIXTURE
    }

    /** The evidence at one evaluation; the intervals are computed only when asked for. */
    public static final class Assessment {
        private final List<String> violating;
        private final boolean allWithin;
        private final Map<String, Long> counts;
        private final Map<String, Double> target;
        private final double tolerance;
        private final DriftDetector detector;
        private Map<String, double[]> intervals;

        private Assessment(
                List<String> violating,
                boolean allWithin,
                Map<String, Long> counts,
                Map<String, Double> target,
                double tolerance,
                DriftDetector detector) {
            this.violating = violating;
            this.allWithin = allWithin;
            this.counts = counts;
            this.target = target;
            this.tolerance = tolerance;
            this.detector = detector;
        }

        /** Categories whose share lies wholly outside target ± tolerance. */
        public List<String> violating() {
            return violating;
        }

        /** Whether every category's interval lies within target ± tolerance. */
        public boolean allWithin() {
            return allWithin;
        }

        /** Per target category, the interval {low, high} for its share (at alpha/K). */
        public Map<String, double[]> intervals() {
            if (intervals == null) {
                intervals = detector.intervals(counts, target, tolerance);
            }
            return intervals;
        }
    }

    private final double alpha;
    private final ConfidenceSequence normalMixture;
    private final Procedure procedure;
    private final DoubleFunction<ShareSequence> varianceAdaptive;
    private final Map<Double, ShareSequence> byShare = new ConcurrentHashMap<>();

    public DriftDetector(double alpha, double rho) {
        this(alpha, rho, Procedure.ADAPTIVE);
    }

    public DriftDetector(double alpha, double rho, Procedure procedure) {
        this(alpha, rho, procedure, BetaBinomialSequence::centredOn);
    }

    /** With another variance-adaptive sequence per target share (tests use it to widen the boundary). */
    DriftDetector(double alpha, double rho, Procedure procedure, DoubleFunction<ShareSequence> varianceAdaptive) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0,1)");
        }
        this.alpha = alpha;
        this.normalMixture = new ConfidenceSequence(rho);
        this.procedure = procedure;
        this.varianceAdaptive = varianceAdaptive;
    }

    public double alpha() {
        return alpha;
    }

    public Assessment assess(Map<String, Long> counts, Map<String, Double> target, double tolerance) {
        long n = 0;
        for (long c : counts.values()) {
            n += c;
        }
        if (procedure == Procedure.ADAPTIVE && tolerance <= 0) {
            return assessPointTarget(counts, target, n);
        }
        double perCategory = alpha / Math.max(1, target.size());
        List<String> violating = new ArrayList<>(1);
        boolean allWithin = n > 0;
        for (Map.Entry<String, Double> t : target.entrySet()) {
            ShareSequence sequence = sequenceFor(t.getValue(), tolerance);
            long s = counts.getOrDefault(t.getKey(), 0L);
            double share = n == 0 ? 0 : s / (double) n;
            double low = t.getValue() - tolerance;
            double high = t.getValue() + tolerance;
            // each interval holds its maximum-likelihood share, so "wholly above high" is "share above
            // high and high excluded", and likewise below; no interval needs to be computed
            boolean lowExcluded = low > 0 && sequence.excludes(s, n, low, perCategory);
            boolean highExcluded = high < 1 && sequence.excludes(s, n, high, perCategory);
            if ((share > high && highExcluded) || (share < low && lowExcluded)) {
                violating.add(t.getKey());
            }
            boolean aboveLow = low <= 0 || (share > low && lowExcluded);
            boolean belowHigh = high >= 1 || (share < high && highExcluded);
            allWithin &= aboveLow && belowHigh;
        }
        return new Assessment(violating, allWithin, counts, target, tolerance, this);
    }

    private Assessment assessPointTarget(Map<String, Long> counts, Map<String, Double> target, long n) {
        int k = target.size();
        long[] x = new long[k];
        double[] t = new double[k];
        long inTarget = 0;
        int i = 0;
        for (Map.Entry<String, Double> e : target.entrySet()) {
            x[i] = counts.getOrDefault(e.getKey(), 0L);
            t[i] = e.getValue();
            inTarget += x[i];
            i++;
        }
        List<String> violating = new ArrayList<>(1);
        // the test conditions on outputs in the target's categories: unreadable ("unknown") outputs
        // have no share in a point target, and must not count as evidence against it
        if (DirichletMultinomialTest.rejects(x, t, BetaBinomialSequence.DEFAULT_CONCENTRATION, alpha)) {
            double worst = -1;
            String worstCategory = null;
            i = 0;
            for (String category : target.keySet()) {
                double share = x[i] / (double) inTarget;
                double z = Math.abs(share - t[i]) / Math.sqrt(Math.max(t[i] * (1 - t[i]), 1e-9) / inTarget);
                if (z > worst) {
                    worst = z;
                    worstCategory = category;
                }
                i++;
            }
            violating.add(worstCategory);
        }
        return new Assessment(violating, false, counts, target, 0, this);
    }

    /**
     * The procedure for one target, chosen once, so that the auditor can evaluate drift on every
     * update without allocating: {@link Plan#next} decides the same transition as
     * {@link #next(boolean, Assessment)} over {@link #assess}, which is left for the rare
     * transitions that need the evidence (violating categories, intervals) for their signal.
     */
    public Plan plan(double[] target, double tolerance) {
        ShareSequence[] sequences = new ShareSequence[target.length];
        for (int i = 0; i < target.length; i++) {
            sequences[i] = sequenceFor(target[i], Math.max(tolerance, 0));
        }
        return new Plan(
                target.clone(),
                tolerance,
                sequences,
                procedure == Procedure.ADAPTIVE && tolerance <= 0,
                alpha / Math.max(1, target.length));
    }

    /** One target's procedure; see {@link #plan}. */
    public final class Plan {
        private final double[] target;
        private final double tolerance;
        private final ShareSequence[] sequences;
        private final boolean point;
        private final double perCategory;

        private Plan(double[] target, double tolerance, ShareSequence[] sequences, boolean point, double perCategory) {
            this.target = target;
            this.tolerance = tolerance;
            this.sequences = sequences;
            this.point = point;
            this.perCategory = perCategory;
        }

        /**
         * ln of an e-value against the target from counts of its categories (in the plan's order) among
         * {@code n} counted outputs: the Dirichlet-multinomial Bayes factor for a point target; else the
         * largest category's e-value against target ± tolerance divided by K (at most the categories'
         * mean, so an e-value too). It reaches ln(1/alpha) exactly when {@link #next} would open an
         * episode on these counts, so a signal can name the category that crossed.
         */
        public double logEValue(long[] counts, long n) {
            if (point) {
                return DirichletMultinomialTest.logBayesFactor(
                        counts, target, BetaBinomialSequence.DEFAULT_CONCENTRATION);
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < target.length; i++) {
                max = Math.max(max, sequences[i].logEValue(counts[i], n, target[i] - tolerance, target[i] + tolerance));
            }
            return max + Math.log(perCategory / alpha);
        }

        /**
         * What the episode does next, given the counts of the target's categories (in the plan's
         * order) among {@code n} counted outputs.
         */
        public Transition next(boolean open, long[] counts, long n) {
            if (point) {
                // as assessPointTarget: a point target never reports every interval within it
                return !open
                                && DirichletMultinomialTest.rejects(
                                        counts, target, BetaBinomialSequence.DEFAULT_CONCENTRATION, alpha)
                        ? Transition.OPEN
                        : Transition.NONE;
            }
            boolean violating = false;
            boolean allWithin = n > 0;
            for (int i = 0; i < target.length; i++) {
                long s = counts[i];
                double share = n == 0 ? 0 : s / (double) n;
                double low = target[i] - tolerance;
                double high = target[i] + tolerance;
                boolean lowExcluded = low > 0 && sequences[i].excludes(s, n, low, perCategory);
                boolean highExcluded = high < 1 && sequences[i].excludes(s, n, high, perCategory);
                violating |= (share > high && highExcluded) || (share < low && lowExcluded);
                allWithin &=
                        (low <= 0 || (share > low && lowExcluded)) && (high >= 1 || (share < high && highExcluded));
            }
            if (!open && violating) {
                return Transition.OPEN;
            }
            return open && allWithin ? Transition.RESOLVE : Transition.NONE;
        }
    }

    private ShareSequence sequenceFor(double share, double tolerance) {
        if (procedure == Procedure.NORMAL_MIXTURE || (tolerance > 0 && share >= 0.2 && share <= 0.8)) {
            return normalMixture;
        }
        return byShare.computeIfAbsent(share, varianceAdaptive::apply);
    }

    private Map<String, double[]> intervals(Map<String, Long> counts, Map<String, Double> target, double tolerance) {
        long n = counts.values().stream().mapToLong(Long::longValue).sum();
        double perCategory = alpha / Math.max(1, target.size());
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Double> t : target.entrySet()) {
            out.put(
                    t.getKey(),
                    sequenceFor(t.getValue(), Math.max(tolerance, 0))
                            .interval(counts.getOrDefault(t.getKey(), 0L), n, perCategory));
        }
        return out;
    }

    /** What an episode does next: open it, resolve it, or nothing. */
    public enum Transition {
        OPEN,
        RESOLVE,
        NONE
    }

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

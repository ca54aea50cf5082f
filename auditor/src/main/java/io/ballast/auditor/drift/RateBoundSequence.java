package io.ballast.auditor.drift;

/**
 * The always-valid, one-sided test of a bound on one category's share ("at most 0.5% of outputs
 * toxic"), fed Bernoulli observations (1 = the output is in the bounded category). It says the
 * bound is exceeded once the share's lower confidence bound lies wholly above the limit; if the
 * true share never exceeds the limit, that happens with probability at most alpha, however long
 * the stream runs and however often it is evaluated.
 *
 * <p>Why it is valid for every true share p at or below the limit b, not only p = b: for a fixed
 * alternative q > b, one observation X multiplies the likelihood ratio of q against b by
 * f_q(X) = (q/b)^X ((1-q)/(1-b))^(1-X), whose mean under p is 1 + (p-b)(q-b) / (b(1-b)): exactly
 * 1 at p = b and below 1 for every p < b. So the product of these factors is a non-negative
 * supermartingale under any p <= b (even one that changes from output to output, as long as it
 * stays at or below b), and so is a mixture over alternatives with fixed weights. By Ville's
 * inequality the mixture ever reaches 1/alpha with probability at most alpha.
 *
 * <p>The mixture: the alternatives are the limit times fixed ratios r (a geometric grid, 2^(1/4)
 * to 2^7), equally weighted. Because the grid is in ratios, the test is the same for a limit of
 * 0.5% or 5% (rates are compared by their ratio, which is what matters for tiny rates, where a
 * normal approximation fails), and it uses the exact Bernoulli likelihood, so its speed follows
 * the rate's own variance. Ratios whose alternative would reach 1 are left out (weight 0), which
 * keeps the mixture a supermartingale.
 *
 * <p>The same mixture at any level m in place of b is decreasing in m (for a fixed ratio r,
 * (1 - m r) / (1 - m) falls as m grows), so the levels it rejects form an interval [0, lower): a
 * lower confidence sequence whose crossing of b is exactly the alarm. Mirrored (alternatives m/r
 * below m), it gives an upper confidence sequence; each end holds with probability 1 - alpha, the
 * interval between them with 1 - 2 alpha.
 */
public final class RateBoundSequence {

    /** Ratios of the alternatives to the limit: 2^(j/4) for j = 1..28, about 1.19 to 128. */
    static final double[] DEFAULT_RATIOS = geometric(Math.pow(2, 0.25), 28);

    private final double maxShare;
    private final double alpha;
    private final double[] ratios;
    private final double[] logRatios;
    private final double logWeight;
    private final double logThreshold;
    // at the limit itself, for the allocation-free check run on every update
    private final double[] logMissAtLimit;

    public RateBoundSequence(double maxShare, double alpha) {
        this(maxShare, alpha, DEFAULT_RATIOS);
    }

    /** With other alternatives, each the limit times a ratio above 1. */
    RateBoundSequence(double maxShare, double alpha, double[] ratios) {
        if (!(maxShare > 0 && maxShare < 1)) {
            throw new IllegalArgumentException("maxShare must be in (0,1), got " + maxShare);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0,1), got " + alpha);
        }
        for (double r : ratios) {
            if (!(r > 1)) {
                throw new IllegalArgumentException("every ratio must be above 1, got " + r);
            }
        }
        this.maxShare = maxShare;
        this.alpha = alpha;
        this.ratios = ratios.clone();
        this.logRatios = new double[ratios.length];
        this.logMissAtLimit = new double[ratios.length];
        for (int j = 0; j < ratios.length; j++) {
            logRatios[j] = Math.log(ratios[j]);
            double q = maxShare * ratios[j];
            logMissAtLimit[j] = q < 1 ? Math.log1p(-q) - Math.log1p(-maxShare) : Double.NaN;
        }
        this.logWeight = -Math.log(ratios.length);
        this.logThreshold = Math.log(1 / alpha);
    }

    public double maxShare() {
        return maxShare;
    }

    public double alpha() {
        return alpha;
    }

    /**
     * Whether, after {@code successes} outputs in the category out of {@code n}, the share's lower
     * confidence bound lies wholly above the limit: the bound is shown to be exceeded.
     */
    public boolean exceeded(long successes, long n) {
        // at or below the limit, every alternative above it explains the data worse than the limit does
        if (successes <= maxShare * n) {
            return false;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < ratios.length; j++) {
            if (!Double.isNaN(logMissAtLimit[j])) {
                max = Math.max(max, successes * logRatios[j] + (n - successes) * logMissAtLimit[j]);
            }
        }
        // the mixture lies between its largest term / K and its largest term: most checks end here, with no exp
        if (logWeight + max >= logThreshold) {
            return true;
        }
        if (max < logThreshold) {
            return false;
        }
        double sum = 0;
        for (int j = 0; j < ratios.length; j++) {
            if (!Double.isNaN(logMissAtLimit[j])) {
                sum += Math.exp(successes * logRatios[j] + (n - successes) * logMissAtLimit[j] - max);
            }
        }
        return logWeight + max + Math.log(sum) >= logThreshold;
    }

    /** Whether the share's upper confidence bound lies wholly below the limit: the bound is shown to hold. */
    public boolean satisfied(long successes, long n) {
        return n > 0 && logEvidenceBelow(successes, n, maxShare) >= logThreshold;
    }

    /** The share's lower confidence bound after {@code successes} of {@code n}: 0 before any observation. */
    public double lower(long successes, long n) {
        if (n == 0 || logEvidenceAbove(successes, n, Double.MIN_NORMAL) < logThreshold) {
            return 0;
        }
        // rejected levels are [0, lower): bisect between a rejected and an accepted level
        double rejected = 0;
        double accepted = 1;
        for (int i = 0; i < 60; i++) {
            double mid = 0.5 * (rejected + accepted);
            if (logEvidenceAbove(successes, n, mid) >= logThreshold) {
                rejected = mid;
            } else {
                accepted = mid;
            }
        }
        return rejected;
    }

    /** The share's upper confidence bound after {@code successes} of {@code n}: 1 before any observation. */
    public double upper(long successes, long n) {
        if (n == 0 || successes == n) {
            return 1;
        }
        // rejected levels are (upper, 1]
        double accepted = 0;
        double rejected = 1;
        for (int i = 0; i < 60; i++) {
            double mid = 0.5 * (accepted + rejected);
            if (logEvidenceBelow(successes, n, mid) >= logThreshold) {
                rejected = mid;
            } else {
                accepted = mid;
            }
        }
        return rejected;
    }

    /** The rate with its interval against the limit, for display. */
    public Reading reading(long successes, long n) {
        return new Reading(
                successes,
                n,
                n == 0 ? 0 : successes / (double) n,
                lower(successes, n),
                upper(successes, n),
                maxShare,
                exceeded(successes, n));
    }

    /**
     * A rate against its limit: {@code rate} = successes / n, its confidence interval
     * [{@code lower}, {@code upper}], and whether the lower end lies above {@code maxShare}.
     */
    public record Reading(
            long successes, long n, double rate, double lower, double upper, double maxShare, boolean exceeded) {}

    /** ln of the mixture against the limit: an e-process for every share at or below it. */
    public double logEValue(long successes, long n) {
        return logEvidenceAbove(successes, n, maxShare);
    }

    /** ln of the mixture against level m, alternatives m·r above it (those below 1). */
    double logEvidenceAbove(long successes, long n, double m) {
        double[] terms = new double[ratios.length];
        int k = 0;
        for (int j = 0; j < ratios.length; j++) {
            double q = m * ratios[j];
            if (q < 1) {
                terms[k++] = successes * logRatios[j] + (n - successes) * (Math.log1p(-q) - Math.log1p(-m));
            }
        }
        return logWeight + logSumExp(terms, k);
    }

    /** ln of the mirrored mixture against level m, alternatives m/r below it. */
    private double logEvidenceBelow(long successes, long n, double m) {
        double[] terms = new double[ratios.length];
        for (int j = 0; j < ratios.length; j++) {
            terms[j] = -successes * logRatios[j] + (n - successes) * (Math.log1p(-m / ratios[j]) - Math.log1p(-m));
        }
        return logWeight + logSumExp(terms, ratios.length);
    }

    /** ln of the sum of exp of the first {@code k} values, without overflow. */
    static double logSumExp(double[] x, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            max = Math.max(max, x[i]);
        }
        if (max == Double.NEGATIVE_INFINITY || max == Double.POSITIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (int i = 0; i < k; i++) {
            sum += Math.exp(x[i] - max);
        }
        return max + Math.log(sum);
    }

    private static double[] geometric(double step, int count) {
        double[] r = new double[count];
        for (int j = 0; j < count; j++) {
            r[j] = Math.pow(step, j + 1);
        }
        return r;
    }
}

package io.ballast.auditor.drift;

/**
 * A confidence sequence for the mean of [0,1]-valued observations (here: the indicator that an
 * output falls in one category), valid at every sample size at once: with probability at least
 * 1 - alpha the true share lies in every interval the sequence ever reports, however often it is
 * looked at. Boundary: the two-sided normal-mixture bound of Howard et al. (2021) for
 * sub-Gaussian increments with variance proxy 1/4 (V_t = t/4):
 * |S_t - t p| <= sqrt((V_t + rho) log((V_t + rho) / (rho alpha^2))).
 * It follows from Ville's inequality applied to a mixture martingale. Its width does not adapt to
 * the share's variance, so it is slow for skewed shares (a 3% category): see
 * {@link BetaBinomialSequence}.
 */
public final class ConfidenceSequence implements ShareSequence {

    /** Mixture width: makes the boundary tightest around a few hundred observations. */
    public static final double DEFAULT_RHO = 25.0;

    private final double rho;

    public ConfidenceSequence(double rho) {
        if (!(rho > 0)) {
            throw new IllegalArgumentException("rho must be > 0");
        }
        this.rho = rho;
    }

    /** Half-width of the interval around the observed share after {@code n} observations. */
    public double halfWidth(long n, double alpha) {
        if (n <= 0) {
            return Double.POSITIVE_INFINITY;
        }
        double v = n / 4.0 + rho;
        return Math.sqrt(v * Math.log(v / (rho * alpha * alpha))) / n;
    }

    /**
     * The normal mixture's e-value, sqrt(rho / (V + rho)) exp(S^2 / (2 (V + rho))) with S the sum's
     * distance from n times the band's nearest share and V = n/4: the boundary above is where it
     * reaches 1/alpha.
     */
    @Override
    public double logEValue(long successes, long n, double low, double high) {
        if (n <= 0) {
            return 0;
        }
        double nearest = Math.min(high, Math.max(low, successes / (double) n));
        double s = successes - n * nearest;
        double v = n / 4.0 + rho;
        return 0.5 * Math.log(rho / v) + s * s / (2 * v);
    }

    @Override
    public boolean excludes(long successes, long n, double share, double alpha) {
        return n > 0 && Math.abs(successes / (double) n - share) > halfWidth(n, alpha);
    }

    @Override
    public double[] interval(long successes, long n, double alpha) {
        if (n == 0) {
            return new double[] {0, 1};
        }
        double share = successes / (double) n;
        double h = halfWidth(n, alpha);
        return new double[] {Math.max(0, share - h), Math.min(1, share + h)};
    }
}

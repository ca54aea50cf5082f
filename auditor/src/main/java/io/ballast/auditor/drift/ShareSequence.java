package io.ballast.auditor.drift;

/**
 * A confidence sequence for one category's share: with probability at least 1 - alpha, the true
 * share lies in every interval it reports, at every sample size at once, however often it is
 * looked at. Drift decisions only need to know whether a value is excluded, which is cheaper
 * than the interval itself.
 */
public interface ShareSequence {

    /** Whether {@code share} lies outside the interval after {@code successes} of {@code n}. */
    boolean excludes(long successes, long n, double share, double alpha);

    /**
     * ln of the e-value behind the sequence against a band of shares [low, high]: its mixture against
     * the band's share most like the data. {@link #excludes} a band edge on the far side of the data
     * exactly when this reaches ln(1/alpha).
     */
    double logEValue(long successes, long n, double low, double high);

    /** The interval after {@code successes} of {@code n}: {0, 1} before any observation. */
    double[] interval(long successes, long n, double alpha);
}

package io.ballast.auditor.drift;

/**
 * The always-valid test of a whole categorical distribution against a point target (Lindon &
 * Malek 2022): with a Dirichlet(c·target) prior, the Bayes factor
 * BF_n = Γ(A)/Γ(A + n) · Π Γ(a_k + x_k)/Γ(a_k) / Π target_k^x_k is a martingale with mean 1 under
 * the target, so it ever reaches 1/alpha with probability at most alpha. One test covers all K
 * categories at level alpha, with no alpha/K split (which is what makes a two-category point null
 * as fast as a single binomial test).
 */
final class DirichletMultinomialTest {

    private DirichletMultinomialTest() {}

    /**
     * Whether the counts reject the target at level alpha.
     *
     * @param counts counts of the target's categories, in the order of {@code target}
     * @param target shares summing to 1; a zero share with a non-zero count rejects at once
     */
    static boolean rejects(long[] counts, double[] target, double concentration, double alpha) {
        return logBayesFactor(counts, target, concentration) >= Math.log(1 / alpha);
    }

    /** ln of the Bayes factor: an e-value against the target (infinite once a zero share is seen). */
    static double logBayesFactor(long[] counts, double[] target, double concentration) {
        long n = 0;
        double logBf = 0;
        double priorTotal = 0;
        for (int k = 0; k < counts.length; k++) {
            if (target[k] <= 0) {
                if (counts[k] > 0) {
                    return Double.POSITIVE_INFINITY;
                }
                continue;
            }
            double ak = concentration * target[k];
            priorTotal += ak;
            n += counts[k];
            logBf += LogGamma.of(ak + counts[k]) - LogGamma.of(ak) - counts[k] * Math.log(target[k]);
        }
        if (n == 0) {
            return 0;
        }
        return logBf + LogGamma.of(priorTotal) - LogGamma.of(priorTotal + n);
    }
}

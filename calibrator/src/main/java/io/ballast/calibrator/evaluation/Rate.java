package io.ballast.calibrator.evaluation;

/**
 * A share of outputs in one category, {@code hits} of {@code n}, with its two-sided 95% Wilson
 * score interval: unlike the normal approximation it stays inside [0, 1] and is not empty at 0
 * hits, which is where a rate near a bound of 0.5% lives.
 */
public record Rate(long hits, long n) {

    static final double Z95 = 1.959963984540054;

    public Rate {
        if (n < 0 || hits < 0 || hits > n) {
            throw new IllegalArgumentException(hits + " of " + n);
        }
    }

    public double value() {
        return n == 0 ? Double.NaN : hits / (double) n;
    }

    public double low() {
        // exactly 0 at 0 hits (the difference of the two terms leaves a rounding residue)
        return n == 0 || hits == 0 ? 0 : Math.max(0, centre() - halfWidth());
    }

    public double high() {
        return n == 0 ? 1 : Math.min(1, centre() + halfWidth());
    }

    private double centre() {
        double z2 = Z95 * Z95;
        return (value() + z2 / (2 * n)) / (1 + z2 / n);
    }

    private double halfWidth() {
        double z2 = Z95 * Z95;
        double p = value();
        return Z95 / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
    }

    @Override
    public String toString() {
        return String.format("%.4f [%.4f, %.4f] (%d of %d)", value(), low(), high(), hits, n);
    }
}

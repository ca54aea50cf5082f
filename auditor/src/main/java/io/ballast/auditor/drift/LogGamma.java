package io.ballast.auditor.drift;

/** ln Γ(x) for x > 0, to about 1e-12 relative: Stirling's series after shifting x to at least 10. */
final class LogGamma {

    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

    private LogGamma() {}

    static double of(double x) {
        if (!(x > 0)) {
            throw new IllegalArgumentException("ln Γ needs x > 0, got " + x);
        }
        double shift = 0;
        while (x < 10) {
            // Γ(x) = Γ(x + 1) / x; the series below is accurate only for large x
            shift -= Math.log(x);
            x += 1;
        }
        double inv = 1 / x;
        double inv2 = inv * inv;
        double series = inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 * (1.0 / 1680 - inv2 / 1188))));
        return shift + (x - 0.5) * Math.log(x) - x + HALF_LOG_TWO_PI + series;
    }

    /** ln B(a, b). */
    static double beta(double a, double b) {
        return of(a) + of(b) - of(a + b);
    }
}

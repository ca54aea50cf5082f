package io.ballast.schemas.attributes;

/**
 * How a binary classifier did on a labelled set: its confusion counts, precision and recall, each
 * with a Wilson 95% interval (sound near 0 and 1, where a good classifier's figures lie).
 */
public record DetectionScore(long truePositives, long falsePositives, long falseNegatives, long trueNegatives) {

    private static final double Z95 = 1.959963984540054;

    /** Counts one labelled example. */
    public DetectionScore add(boolean predicted, boolean actual) {
        return new DetectionScore(
                truePositives + (predicted && actual ? 1 : 0),
                falsePositives + (predicted && !actual ? 1 : 0),
                falseNegatives + (!predicted && actual ? 1 : 0),
                trueNegatives + (!predicted && !actual ? 1 : 0));
    }

    public static DetectionScore empty() {
        return new DetectionScore(0, 0, 0, 0);
    }

    public long n() {
        return truePositives + falsePositives + falseNegatives + trueNegatives;
    }

    /** Of the examples flagged, the share truly positive (NaN when none was flagged). */
    public double precision() {
        return (double) truePositives / (truePositives + falsePositives);
    }

    /** Of the positive examples, the share flagged (NaN when there were none). */
    public double recall() {
        return (double) truePositives / (truePositives + falseNegatives);
    }

    public double[] precisionInterval() {
        return wilson(truePositives, truePositives + falsePositives);
    }

    public double[] recallInterval() {
        return wilson(truePositives, truePositives + falseNegatives);
    }

    /** The Wilson score interval at 95% for {@code successes} of {@code n}. */
    public static double[] wilson(long successes, long n) {
        if (n == 0) {
            return new double[] {0, 1};
        }
        double p = (double) successes / n;
        double z2 = Z95 * Z95;
        double centre = (p + z2 / (2.0 * n)) / (1 + z2 / n);
        double half = Z95 / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    @Override
    public String toString() {
        double[] p = precisionInterval();
        double[] r = recallInterval();
        return String.format(
                "n=%d (tp %d, fp %d, fn %d, tn %d): precision %.4f [%.4f, %.4f], recall %.4f [%.4f, %.4f]",
                n(),
                truePositives,
                falsePositives,
                falseNegatives,
                trueNegatives,
                precision(),
                p[0],
                p[1],
                recall(),
                r[0],
                r[1]);
    }
}

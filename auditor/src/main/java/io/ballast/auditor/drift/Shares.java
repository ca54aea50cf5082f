package io.ballast.auditor.drift;

import java.util.Arrays;

/** Categorical shares for drift scenarios: a skewed target and the same target with one category moved. */
public final class Shares {

    private Shares() {}

    /** K categories: the first at {@code first}, the rest sharing what is left equally. */
    public static double[] spread(double first, int k) {
        double[] p = new double[k];
        p[0] = first;
        Arrays.fill(p, 1, k, (1 - first) / (k - 1));
        return p;
    }

    /** A category drawn from shares {@code p}: its index. */
    public static int draw(double[] p, java.util.SplittableRandom random) {
        double u = random.nextDouble();
        for (int k = 0; k < p.length - 1; k++) {
            u -= p[k];
            if (u < 0) {
                return k;
            }
        }
        return p.length - 1;
    }

    /** The first category moved to {@code first}, the others scaled to keep the sum at 1. */
    public static double[] shift(double[] p, double first) {
        double[] q = p.clone();
        double scale = (1 - first) / (1 - p[0]);
        q[0] = first;
        for (int i = 1; i < q.length; i++) {
            q[i] = p[i] * scale;
        }
        return q;
    }
}

package io.ballast.classifiers.heads;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Fits a {@link LinearHead} by minimising the mean cross-entropy plus an L2 penalty on the weights,
 * with Adam over mini-batches (the problem is convex; Adam just gets there in a few seconds on a few
 * thousand 384-d rows). Deterministic for a seed.
 */
public final class HeadTraining {

    /** How the head is fitted: epochs, step size, L2 weight, batch, seed. */
    public record Settings(int epochs, double learningRate, double l2, int batch, long seed) {
        public static Settings defaults(double l2) {
            return new Settings(60, 0.01, l2, 64, 7);
        }
    }

    private HeadTraining() {}

    /**
     * @param x one embedding per example
     * @param y each example's label index into {@code labels}
     * @param classWeights per label, the weight of its examples (1 each when balanced data is fine)
     */
    public static LinearHead fit(
            String name,
            List<String> labels,
            float[][] x,
            int[] y,
            double[] classWeights,
            Settings settings,
            Map<String, Object> provenance) {
        int k = labels.size();
        int dim = x[0].length;
        double[][] w = new double[k][dim];
        double[] b = new double[k];
        double[][] mw = new double[k][dim];
        double[][] vw = new double[k][dim];
        double[] mb = new double[k];
        double[] vb = new double[k];
        double beta1 = 0.9;
        double beta2 = 0.999;
        int[] order = new int[x.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Random random = new Random(settings.seed());
        int step = 0;
        double[][] gw = new double[k][dim];
        double[] gb = new double[k];
        double[] p = new double[k];
        for (int epoch = 0; epoch < settings.epochs(); epoch++) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int from = 0; from < order.length; from += settings.batch()) {
                int to = Math.min(order.length, from + settings.batch());
                for (double[] row : gw) {
                    java.util.Arrays.fill(row, 0);
                }
                java.util.Arrays.fill(gb, 0);
                double weightSum = 0;
                for (int q = from; q < to; q++) {
                    int i = order[q];
                    double cw = classWeights[y[i]];
                    weightSum += cw;
                    softmax(w, b, x[i], p);
                    for (int c = 0; c < k; c++) {
                        double g = cw * (p[c] - (c == y[i] ? 1 : 0));
                        gb[c] += g;
                        for (int d = 0; d < dim; d++) {
                            gw[c][d] += g * x[i][d];
                        }
                    }
                }
                step++;
                double lr =
                        settings.learningRate() * Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step));
                for (int c = 0; c < k; c++) {
                    double g0 = gb[c] / weightSum;
                    mb[c] = beta1 * mb[c] + (1 - beta1) * g0;
                    vb[c] = beta2 * vb[c] + (1 - beta2) * g0 * g0;
                    b[c] -= lr * mb[c] / (Math.sqrt(vb[c]) + 1e-8);
                    for (int d = 0; d < dim; d++) {
                        double g = gw[c][d] / weightSum + settings.l2() * w[c][d];
                        mw[c][d] = beta1 * mw[c][d] + (1 - beta1) * g;
                        vw[c][d] = beta2 * vw[c][d] + (1 - beta2) * g * g;
                        w[c][d] -= lr * mw[c][d] / (Math.sqrt(vw[c][d]) + 1e-8);
                    }
                }
            }
        }
        float[][] weights = new float[k][dim];
        float[] bias = new float[k];
        for (int c = 0; c < k; c++) {
            bias[c] = (float) b[c];
            for (int d = 0; d < dim; d++) {
                weights[c][d] = (float) w[c][d];
            }
        }
        return new LinearHead(name, labels, weights, bias, Map.of(), provenance);
    }

    private static void softmax(double[][] w, double[] b, float[] x, double[] out) {
        for (int c = 0; c < b.length; c++) {
            double s = b[c];
            for (int d = 0; d < x.length; d++) {
                s += w[c][d] * x[d];
            }
            out[c] = s;
        }
        LinearHead.normalise(out);
    }
}

package io.ballast.classifiers.evaluation;

import java.util.Arrays;
import java.util.Locale;

/**
 * Area under the ROC curve from scores and binary labels (the Mann-Whitney statistic, ties counted
 * half), with Hanley &amp; McNeil's (1982) 95% interval.
 */
public record Auroc(double value, double lower, double upper, long positives, long negatives) {

    public static Auroc of(double[] scores, boolean[] positive) {
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double[] rank = new double[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double r = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                rank[order[k]] = r;
            }
            i = j + 1;
        }
        long np = 0;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (positive[i]) {
                np++;
                sum += rank[i];
            }
        }
        long nn = n - np;
        double auc = (sum - np * (np + 1) / 2.0) / (np * (double) nn);
        double q1 = auc / (2 - auc);
        double q2 = 2 * auc * auc / (1 + auc);
        double se = Math.sqrt(
                (auc * (1 - auc) + (np - 1) * (q1 - auc * auc) + (nn - 1) * (q2 - auc * auc)) / (np * (double) nn));
        return new Auroc(auc, Math.max(0, auc - 1.96 * se), Math.min(1, auc + 1.96 * se), np, nn);
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "AUROC %.3f [%.3f, %.3f] (%d positive, %d negative)",
                value,
                lower,
                upper,
                positives,
                negatives);
    }
}

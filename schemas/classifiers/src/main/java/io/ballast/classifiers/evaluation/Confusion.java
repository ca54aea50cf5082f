package io.ballast.classifiers.evaluation;

import io.ballast.schemas.attributes.DetectionScore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A confusion matrix of true labels by predicted ones, where a prediction may also be an abstention
 * ({@code unknown}): accuracy and per-class precision and recall with Wilson 95% intervals, macro-F1
 * and the abstain rate.
 */
public final class Confusion {

    public static final String ABSTAIN = "unknown";

    private final List<String> labels;
    private final long[][] counts;

    public Confusion(List<String> labels) {
        this.labels = List.copyOf(labels);
        this.counts = new long[labels.size()][labels.size() + 1];
    }

    public void add(String actual, String predicted) {
        int a = labels.indexOf(actual);
        if (a < 0) {
            throw new IllegalArgumentException("unknown true label " + actual + "; labels " + labels);
        }
        int p = labels.indexOf(predicted);
        counts[a][p < 0 ? labels.size() : p]++;
    }

    public long n() {
        long n = 0;
        for (long[] row : counts) {
            for (long c : row) {
                n += c;
            }
        }
        return n;
    }

    public long correct() {
        long c = 0;
        for (int i = 0; i < labels.size(); i++) {
            c += counts[i][i];
        }
        return c;
    }

    /** Correct over all, abstentions counted as wrong. */
    public double accuracy() {
        return n() == 0 ? Double.NaN : correct() / (double) n();
    }

    public double[] accuracyInterval() {
        return DetectionScore.wilson(correct(), n());
    }

    public long abstained() {
        long a = 0;
        for (long[] row : counts) {
            a += row[labels.size()];
        }
        return a;
    }

    public double abstainRate() {
        return n() == 0 ? Double.NaN : abstained() / (double) n();
    }

    /** Outputs predicted {@code label} (its column). */
    public long predicted(String label) {
        int p = labels.indexOf(label);
        long s = 0;
        for (long[] row : counts) {
            s += row[p];
        }
        return s;
    }

    public long actual(String label) {
        long s = 0;
        for (long c : counts[labels.indexOf(label)]) {
            s += c;
        }
        return s;
    }

    public long hits(String label) {
        int i = labels.indexOf(label);
        return counts[i][i];
    }

    public double precision(String label) {
        long p = predicted(label);
        return p == 0 ? Double.NaN : hits(label) / (double) p;
    }

    public double recall(String label) {
        long a = actual(label);
        return a == 0 ? Double.NaN : hits(label) / (double) a;
    }

    /** Mean over the labels that occur of F1 (0 where a label is never predicted right). */
    public double macroF1() {
        double sum = 0;
        int k = 0;
        for (String l : labels) {
            if (actual(l) == 0) {
                continue;
            }
            double p = precision(l);
            double r = recall(l);
            sum += Double.isNaN(p) || p + r == 0 ? 0 : 2 * p * r / (p + r);
            k++;
        }
        return k == 0 ? Double.NaN : sum / k;
    }

    /** The table: per class precision and recall with intervals, then the matrix (rows true, columns predicted). */
    public String table() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "  accuracy %s, macro-F1 %.3f, abstained %d of %d (%.3f)%n",
                rate(correct(), n()),
                macroF1(),
                abstained(),
                n(),
                abstainRate()));
        out.append(String.format(Locale.ROOT, "  %-13s %-30s %-30s%n", "class", "precision [95%]", "recall [95%]"));
        for (String l : labels) {
            if (actual(l) == 0 && predicted(l) == 0) {
                continue;
            }
            out.append(String.format(
                    Locale.ROOT, "  %-13s %-30s %-30s%n", l, rate(hits(l), predicted(l)), rate(hits(l), actual(l))));
        }
        List<String> columns = new ArrayList<>(labels);
        columns.add(ABSTAIN);
        out.append(String.format(Locale.ROOT, "  %-13s", "true\\read"));
        for (String c : columns) {
            out.append(String.format(Locale.ROOT, " %11s", c));
        }
        out.append('\n');
        for (int i = 0; i < labels.size(); i++) {
            if (actual(labels.get(i)) == 0) {
                continue;
            }
            out.append(String.format(Locale.ROOT, "  %-13s", labels.get(i)));
            for (long c : counts[i]) {
                out.append(String.format(Locale.ROOT, " %11d", c));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** "0.950 [0.912, 0.973] (n = 120)", or "- (n = 0)". */
    public static String rate(long successes, long n) {
        if (n == 0) {
            return "- (n = 0)";
        }
        double[] ci = DetectionScore.wilson(successes, n);
        return String.format(Locale.ROOT, "%.3f [%.3f, %.3f] (n = %d)", successes / (double) n, ci[0], ci[1], n);
    }
}

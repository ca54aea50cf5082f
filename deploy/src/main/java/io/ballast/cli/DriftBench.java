package io.ballast.cli;

import io.ballast.auditor.AuditorConfig;
import io.ballast.auditor.drift.ConfidenceSequence;
import io.ballast.auditor.drift.DriftDetector;
import io.ballast.auditor.drift.Shares;
import io.ballast.runtime.ConfigSource;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "drift",
        mixinStandardHelpOptions = true,
        description = {
            "Samples to detect a shift, per case, for the drift test Ballast shipped first (normal mixture at",
            "alpha/K), the one it uses now (per case: Dirichlet-multinomial for point targets, beta-binomial or normal",
            "mixture per category with a tolerance), an oracle SPRT that knows the shift, and a fixed-window chi-square",
            "test re-run on every event; and each one's false-alarm rate on streams with no shift beyond tolerance."
        })
final class DriftBench implements Callable<Integer> {

    @Option(
            names = "--streams",
            defaultValue = "1000",
            description = "Streams per case and procedure (default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--length", defaultValue = "5000", description = "Events per stream (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--alpha", defaultValue = "0.01")
    double alpha;

    @Option(names = "--window", defaultValue = "200", description = "Chi-square window (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(
            names = "--change-streams",
            defaultValue = "200",
            description = "Streams per change-point cell (default: ${DEFAULT-VALUE}).")
    int changeStreams;

    @Option(
            names = "--null-streams",
            defaultValue = "50",
            description = "Null streams per case for the change detector's false alarms (default: ${DEFAULT-VALUE}).")
    int nullStreams;

    @Option(
            names = "--null-length",
            defaultValue = "1000000",
            description = "Outputs per null stream (default: ${DEFAULT-VALUE}).")
    long nullLength;

    @Option(
            names = "--traffic",
            defaultValue = "1000000",
            description = "Outputs a day per model version, for the alert-fatigue line (default: ${DEFAULT-VALUE}).")
    long traffic;

    @Option(
            names = "--contexts",
            defaultValue = "8",
            description = "Contexts per version, for the alert-fatigue line (default: ${DEFAULT-VALUE}).")
    int contexts;

    @Option(
            names = "--set",
            description = "An auditor setting for the change detector (key=value; e.g."
                    + " ballast.auditor.change-horizon=100000); defaults are the auditor's.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--skip-launch", description = "Print only the change-point table.")
    boolean skipLaunch;

    /** A target, the shifted truth to detect, and the tolerance the operator set. */
    record Case(String name, double[] target, double[] shifted, double tolerance) {
        /** The hardest stream that must not alarm: the first category at the edge of its band, the rest scaled. */
        double[] nullTruth() {
            return Shares.shift(target, target[0] + tolerance);
        }
    }

    interface Detector {
        /** Feeds one event (its category index); returns true when it alarms. */
        boolean feed(int category);
    }

    static final List<Case> CASES = List.of(
            new Case("50/50 -> 60/40, point target", new double[] {0.5, 0.5}, new double[] {0.6, 0.4}, 0),
            new Case(
                    "0.03 -> 0.08 of 4, point target",
                    Shares.spread(0.03, 4),
                    Shares.shift(Shares.spread(0.03, 4), 0.08),
                    0),
            new Case(
                    "0.25 -> 0.10 of 4, point target",
                    Shares.spread(0.25, 4),
                    Shares.shift(Shares.spread(0.25, 4), 0.10),
                    0),
            new Case("50/50 -> 60/40, tolerance 0.05", new double[] {0.5, 0.5}, new double[] {0.6, 0.4}, 0.05),
            new Case(
                    "0.03 -> 0.08 of 4, tolerance 0.02",
                    Shares.spread(0.03, 4),
                    Shares.shift(Shares.spread(0.03, 4), 0.08),
                    0.02),
            new Case(
                    "uniform 3 -> 0.43, tolerance 0.05",
                    Shares.spread(1 / 3.0, 3),
                    Shares.shift(Shares.spread(1 / 3.0, 3), 0.4333),
                    0.05));

    @Override
    public Integer call() {
        if (!skipLaunch) {
            launchTable();
        }
        Map<String, String> values = new LinkedHashMap<>(settings);
        values.putIfAbsent(AuditorConfig.ALPHA, String.valueOf(alpha));
        ConfigSource source = ConfigSource.ofMap(values);
        new ChangePointBench(AuditorConfig.changeSettings(source), changeStreams, nullStreams, nullLength)
                .print(traffic, AuditorConfig.streamsPerVersion(source), contexts);
        return 0;
    }

    /** The shift present from the first output: samples to detect it, per procedure. */
    private void launchTable() {
        System.out.printf(
                "alpha %.3g, %d streams per cell, %d events per stream; median samples to detect the shift%n",
                alpha, streams, length);
        System.out.printf(
                "(its 95%% interval by order statistics), and the false-alarm rate on streams at the edge of the band%n%n");
        System.out.printf("%-36s %-34s %24s %18s%n", "case", "procedure", "median to detect [95% CI]", "false alarms");
        for (Case c : CASES) {
            Map<String, Supplier<Detector>> detectors = new LinkedHashMap<>();
            detectors.put("shipped: normal mixture, alpha/K", () -> ballast(c, DriftDetector.Procedure.NORMAL_MIXTURE));
            detectors.put("now: adaptive (per case)", () -> ballast(c, DriftDetector.Procedure.ADAPTIVE));
            detectors.put("oracle SPRT (knows the shift)", () -> sprt(c));
            if (c.tolerance() == 0) {
                detectors.put("chi-square, window " + window + ", every event", () -> chiSquare(c));
            }
            for (var e : detectors.entrySet()) {
                int[] toDetect = new int[streams];
                int falseAlarms = 0;
                SplittableRandom random = new SplittableRandom(17);
                for (int s = 0; s < streams; s++) {
                    toDetect[s] = run(e.getValue().get(), c.shifted(), random);
                    falseAlarms += run(e.getValue().get(), c.nullTruth(), random) <= length ? 1 : 0;
                }
                Arrays.sort(toDetect);
                System.out.printf(
                        "%-36s %-34s %24s %18s%n",
                        c.name(), e.getKey(), medianWithInterval(toDetect, this::show), rate(falseAlarms, streams));
            }
        }
    }

    /**
     * The median and its distribution-free 95% interval: order statistics n/2 ± 0.98 sqrt(n), each
     * value written by {@code show}.
     */
    static String medianWithInterval(int[] sorted, java.util.function.IntFunction<String> show) {
        int n = sorted.length;
        int half = (int) Math.ceil(0.98 * Math.sqrt(n));
        return String.format(
                "%s [%s, %s]",
                show.apply(sorted[n / 2]),
                show.apply(sorted[Math.max(0, n / 2 - half)]),
                show.apply(sorted[Math.min(n - 1, n / 2 + half)]));
    }

    private String show(int samples) {
        return samples > length ? ">" + length : String.valueOf(samples);
    }

    /** A rate with its Wilson 95% interval. */
    static String rate(int hits, int n) {
        double p = hits / (double) n;
        double z = 1.96;
        double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
        double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / (1 + z * z / n);
        return String.format("%.3f [%.3f, %.3f]", p, Math.max(0, centre - half), centre + half);
    }

    private int run(Detector d, double[] truth, SplittableRandom random) {
        for (int t = 1; t <= length; t++) {
            if (d.feed(Shares.draw(truth, random))) {
                return t;
            }
        }
        return length + 1;
    }

    private Detector ballast(Case c, DriftDetector.Procedure procedure) {
        DriftDetector detector = new DriftDetector(alpha, ConfidenceSequence.DEFAULT_RHO, procedure);
        Map<String, Double> target = new LinkedHashMap<>();
        Map<String, Long> counts = new LinkedHashMap<>();
        for (int k = 0; k < c.target().length; k++) {
            target.put("c" + k, c.target()[k]);
            counts.put("c" + k, 0L);
        }
        return x -> {
            counts.merge("c" + x, 1L, Long::sum);
            return !detector.assess(counts, target, c.tolerance()).violating().isEmpty();
        };
    }

    /**
     * Wald's SPRT of the shifted truth against the hardest null (the target, or the edge of its
     * band): the best any test can do that knows the shift in advance.
     */
    private Detector sprt(Case c) {
        double[] nullTruth = c.nullTruth();
        double[] step = new double[nullTruth.length];
        for (int k = 0; k < step.length; k++) {
            step[k] = Math.log(c.shifted()[k] / nullTruth[k]);
        }
        double threshold = Math.log((1 - alpha) / alpha);
        double[] llr = {0};
        return x -> {
            llr[0] += step[x];
            return llr[0] >= threshold;
        };
    }

    private Detector chiSquare(Case c) {
        int k = c.target().length;
        int[] ring = new int[window];
        long[] inWindow = new long[k];
        int[] seen = {0};
        double critical = CHI_SQUARE_99[k - 1];
        return x -> {
            int i = seen[0] % window;
            if (seen[0] >= window) {
                inWindow[ring[i]]--;
            }
            ring[i] = x;
            inWindow[x]++;
            seen[0]++;
            if (seen[0] < window) {
                return false;
            }
            double chi = 0;
            for (int j = 0; j < k; j++) {
                double expected = window * c.target()[j];
                chi += Math.pow(inWindow[j] - expected, 2) / expected;
            }
            return chi > critical;
        };
    }

    /** Chi-square 99% quantiles by degrees of freedom (index = df; df 0 unused). */
    private static final double[] CHI_SQUARE_99 = {Double.NaN, 6.635, 9.210, 11.345, 13.277};
}

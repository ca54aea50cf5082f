package io.ballast.cli;

import io.ballast.auditor.drift.ConfidenceSequence;
import io.ballast.auditor.drift.DriftDetector;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "drift", mixinStandardHelpOptions = true,
        description = {"Samples to detection of a 10-point shift in a binary attribute (target 50/50, truth 60/40), for",
            "Ballast's always-valid procedure, an oracle SPRT that knows the shift, and a fixed-window chi-square test",
            "re-run on every event; and each one's false-alarm rate on streams with no shift."})
final class DriftBench implements Callable<Integer> {

    @Option(names = "--streams", defaultValue = "2000", description = "Streams per case (default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--length", defaultValue = "5000", description = "Events per stream (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--alpha", defaultValue = "0.01")
    double alpha;

    @Option(names = "--window", defaultValue = "200", description = "Chi-square window (default: ${DEFAULT-VALUE}).")
    int window;

    interface Detector {
        /** Feeds one event (1 = category a); returns true when it alarms. */
        boolean feed(int x);
    }

    @Override
    public Integer call() {
        Map<String, java.util.function.Supplier<Detector>> detectors = new LinkedHashMap<>();
        detectors.put("ballast confidence sequence (point null)", () -> ballast(1e-9));
        detectors.put("ballast confidence sequence (tolerance 0.05)", () -> ballast(0.05));
        detectors.put("oracle SPRT (knows p=0.6)", this::sprt);
        detectors.put("chi-square, window " + window + ", every event", this::chiSquare);
        System.out.printf("%-48s %22s %26s%n", "procedure", "median to detect 0.6", "false alarms (p=0.5, " + length + ")");
        for (var e : detectors.entrySet()) {
            int[] toDetect = new int[streams];
            int falseAlarms = 0;
            SplittableRandom random = new SplittableRandom(17);
            for (int s = 0; s < streams; s++) {
                toDetect[s] = run(e.getValue().get(), 0.6, random);
                falseAlarms += run(e.getValue().get(), 0.5, random) <= length ? 1 : 0;
            }
            Arrays.sort(toDetect);
            int median = toDetect[streams / 2];
            System.out.printf("%-48s %22s %25.4f%n", e.getKey(), median > length ? "> " + length : String.valueOf(median),
                    falseAlarms / (double) streams);
        }
        return 0;
    }

    private int run(Detector d, double p, SplittableRandom random) {
        for (int t = 1; t <= length; t++) {
            if (d.feed(random.nextDouble() < p ? 1 : 0)) {
                return t;
            }
        }
        return length + 1;
    }

    private Detector ballast(double tolerance) {
        DriftDetector detector = new DriftDetector(alpha, ConfidenceSequence.DEFAULT_RHO);
        Map<String, Double> target = Map.of("a", 0.5, "b", 0.5);
        Map<String, Long> counts = new LinkedHashMap<>(Map.of("a", 0L, "b", 0L));
        return x -> {
            counts.merge(x == 1 ? "a" : "b", 1L, Long::sum);
            return !detector.assess(counts, target, tolerance).violating().isEmpty();
        };
    }

    private Detector sprt() {
        double up = Math.log(0.6 / 0.5);
        double down = Math.log(0.4 / 0.5);
        double threshold = Math.log((1 - alpha) / alpha);
        double[] llr = {0};
        return x -> {
            llr[0] += x == 1 ? up : down;
            return llr[0] >= threshold;
        };
    }

    private Detector chiSquare() {
        int[] ring = new int[window];
        int[] state = {0, 0}; // events seen, ones in window
        double critical = 6.635; // chi-square, 1 degree of freedom, alpha = 0.01
        return x -> {
            int i = state[0] % window;
            if (state[0] >= window) {
                state[1] -= ring[i];
            }
            ring[i] = x;
            state[1] += x;
            state[0]++;
            if (state[0] < window) {
                return false;
            }
            double expected = window / 2.0;
            double chi = Math.pow(state[1] - expected, 2) / expected + Math.pow(window - state[1] - expected, 2) / expected;
            return chi > critical;
        };
    }
}

package io.ballast.generator.training;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Progress of long work on stderr: step, loss, tokens/s, ETA. Redraws one line on a terminal;
 * prints a line every 10% otherwise (logs, CI).
 */
public final class ProgressBar {

    private final String label;
    private final String unit;
    private final long total;
    private final PrintStream out;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long lastPrintedDecile = -1;

    public ProgressBar(String label, long total) {
        this(label, "tok", total, System.err, System.console() != null);
    }

    /** A bar whose rate counts {@code unit}s (e.g. "tok" for tokens, "step" for steps). */
    public ProgressBar(String label, String unit, long total) {
        this(label, unit, total, System.err, System.console() != null);
    }

    public ProgressBar(String label, String unit, long total, PrintStream out, boolean terminal) {
        this.label = label;
        this.unit = unit;
        this.total = total;
        this.out = out;
        this.terminal = terminal;
    }

    /** @param done how many units so far (tokens, or steps), for the rate */
    public void update(long step, double loss, long done) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        double rate = done / Math.max(elapsed, 1e-9);
        long eta = step == 0 ? 0 : (long) (elapsed / step * (total - step));
        int width = 30;
        int filled = (int) (width * step / Math.max(1, total));
        String line = String.format(
                "%s [%s%s] %d/%d loss %.4f %,.1f %s/s ETA %s",
                label,
                "=".repeat(filled),
                " ".repeat(width - filled),
                step,
                total,
                loss,
                rate,
                unit,
                format(Duration.ofSeconds(eta)));
        if (terminal) {
            out.print("\r" + line);
            if (step >= total) {
                out.println();
            }
        } else {
            long decile = step * 10 / Math.max(1, total);
            if (decile != lastPrintedDecile || step >= total) {
                lastPrintedDecile = decile;
                out.println(line);
            }
        }
        out.flush();
    }

    private static String format(Duration d) {
        return String.format("%d:%02d", d.toMinutes(), d.toSecondsPart());
    }
}

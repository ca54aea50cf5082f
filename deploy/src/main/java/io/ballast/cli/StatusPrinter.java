package io.ballast.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A status that changes every few seconds. On a terminal it redraws one line with a carriage
 * return; anywhere else (a file, CI, nohup, a log shipper) a redraw would pile up into one endless
 * line, so it prints a plain line at a steady interval instead.
 */
final class StatusPrinter {

    static final Duration PLAIN_INTERVAL = Duration.ofSeconds(10);

    private final PrintStream out;
    private final boolean terminal;
    private final long intervalMillis;
    private final LongSupplier clockMillis;
    private boolean printedAny;
    private long lastPrintedAt;
    private String pending;

    StatusPrinter(PrintStream out, boolean terminal, Duration interval, LongSupplier clockMillis) {
        this.out = out;
        this.terminal = terminal;
        this.intervalMillis = interval.toMillis();
        this.clockMillis = clockMillis;
    }

    /** On standard output, redrawing only when it is a terminal ({@code System.console()} is null otherwise). */
    static StatusPrinter forStandardOutput() {
        return new StatusPrinter(System.out, System.console() != null, PLAIN_INTERVAL, System::currentTimeMillis);
    }

    void show(String status) {
        if (terminal) {
            out.print("\r" + status + "   ");
            out.flush();
            return;
        }
        long now = clockMillis.getAsLong();
        if (!printedAny || now - lastPrintedAt >= intervalMillis) {
            out.println(status);
            out.flush();
            printedAny = true;
            lastPrintedAt = now;
            pending = null;
        } else {
            pending = status;
        }
    }

    /** Ends the status: a terminal gets its line break; a log gets the last status if not yet printed. */
    void end() {
        if (terminal) {
            out.println();
        } else if (pending != null) {
            out.println(pending);
            pending = null;
        }
        out.flush();
    }
}

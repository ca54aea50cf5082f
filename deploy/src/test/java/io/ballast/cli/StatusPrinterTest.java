package io.ballast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StatusPrinterTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong now = new AtomicLong(1_000);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutATerminalStatusIsPlainLinesAtTheIntervalAndTheLastOneAtTheEnd() {
        // given output that is not a terminal and a 10 s interval
        StatusPrinter status = new StatusPrinter(out, false, Duration.ofSeconds(10), now::get);

        // when the status changes every 2 s for 21 s, then ends
        for (int second = 0; second <= 21; second += 2) {
            now.set(1_000 + second * 1000L);
            status.show("status at " + second);
        }
        status.end();

        // then the first, one every 10 s, and the last are printed, as lines, with no carriage return
        assertThat(printed())
                .doesNotContain("\r")
                .isEqualTo("status at 0\nstatus at 10\nstatus at 20\n".replace("\n", System.lineSeparator()));
    }

    @Test
    void withoutATerminalTheEndRepeatsNothingAlreadyPrinted() {
        StatusPrinter status = new StatusPrinter(out, false, Duration.ofSeconds(10), now::get);

        status.show("only");
        status.end();

        assertThat(printed()).isEqualTo("only" + System.lineSeparator());
    }

    @Test
    void onATerminalStatusRedrawsOneLineAndEndsIt() {
        // given a terminal
        StatusPrinter status = new StatusPrinter(out, true, Duration.ofSeconds(10), now::get);

        // when the status changes twice within the interval
        status.show("a");
        status.show("b");
        status.end();

        // then both are drawn over one line, as today
        assertThat(printed()).isEqualTo("\ra   \rb   " + System.lineSeparator());
    }
}

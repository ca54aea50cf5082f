package io.ballast.cli;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;

/**
 * {@code %exsummary} in logback-quiet.xml: a logged exception as {@code " (Type: message)"} on the
 * same line, so a console warning stays one line; the stack trace is in the internal log.
 */
public final class ThrowableSummaryConverter extends ClassicConverter {

    @Override
    public String convert(ILoggingEvent event) {
        IThrowableProxy t = event.getThrowableProxy();
        if (t == null) {
            return "";
        }
        // the root cause usually names what the user can fix (a port in use, a missing file)
        while (t.getCause() != null) {
            t = t.getCause();
        }
        String type = t.getClassName().substring(t.getClassName().lastIndexOf('.') + 1);
        String message = t.getMessage() == null
                ? ""
                : ": " + t.getMessage().replace('\n', ' ').replace('\r', ' ');
        return " (" + type + message + ")";
    }
}

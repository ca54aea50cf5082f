package io.ballast.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * The quiet console of {@code local} and {@code demo}: their embedded broker, Kafka Streams, Kafka
 * clients and DJL log to a file under the data directory; the console keeps Ballast's own lines.
 * Services run on their own keep logback.xml (overridable with {@code -Dlogback.configurationFile}).
 */
final class ConsoleLogging {

    static final String FILE_PROPERTY = "ballast.internal.log";
    private static final String USER_CONFIG_PROPERTY = "logback.configurationFile";

    private ConsoleLogging() {}

    /**
     * Sends internal logs to {@code logFile} from now on. Returns false, changing nothing, when the
     * user named a logback configuration of their own: theirs is what they want to see.
     */
    static boolean routeInternalLogsTo(Path logFile) {
        if (System.getProperty(USER_CONFIG_PROPERTY) != null) {
            return false;
        }
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory of " + logFile, e);
        }
        URL config = ConsoleLogging.class.getResource("/logback-quiet.xml");
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        context.putProperty(FILE_PROPERTY, logFile.toAbsolutePath().toString());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(config);
        } catch (JoranException e) {
            throw new IllegalStateException("logback-quiet.xml is broken", e);
        }
        return true;
    }
}

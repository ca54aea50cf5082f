package io.ballast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class ConsoleLoggingTest {

    private final PrintStream realErr = System.err;

    @AfterEach
    void restoreTheDefaultConfiguration() throws Exception {
        System.setErr(realErr);
        // other tests in this JVM expect logback.xml, as services run with it
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        new ContextInitializer(context).autoConfig();
    }

    @Test
    void internalLogsGoToTheFileAndTheConsoleKeepsBallastsWarningsOnOneLine(@TempDir Path dir) throws Exception {
        // given the quiet console switched on, stderr captured
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
        Path file = dir.resolve("logs/ballast.log");
        assertThat(ConsoleLogging.routeInternalLogsTo(file)).isTrue();

        // when the broker logs a start-up race, a client warns, and Ballast logs at info and warns with an exception
        LoggerFactory.getLogger("kafka.server.ControllerRegistrationManager")
                .error(
                        "CONTROLLER_REGISTRATION race",
                        new IllegalStateException(
                                "NotControllerException: The active controller appears to be node 1"));
        LoggerFactory.getLogger("org.apache.kafka.clients.producer.internals.Sender")
                .warn("CONCURRENT_TRANSACTIONS");
        Logger ballast = LoggerFactory.getLogger("io.ballast.auditor.Something");
        ballast.info("started");
        ballast.warn("registry unreachable", new RuntimeException("wrapper", new ConnectException("refused")));

        // then the console has Ballast's warning only, on one line, with the root cause but no stack trace
        String out = console.toString(StandardCharsets.UTF_8);
        assertThat(out.lines()).hasSize(1);
        assertThat(out)
                .contains("WARN", "Something - registry unreachable (ConnectException: refused)")
                .doesNotContain("CONTROLLER_REGISTRATION", "CONCURRENT_TRANSACTIONS", "started", "\tat ");
        // and the file has every line, the broker's stack trace included
        String logged = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(logged)
                .contains(
                        "CONTROLLER_REGISTRATION race",
                        "NotControllerException",
                        "\tat ",
                        "CONCURRENT_TRANSACTIONS",
                        "started",
                        "registry unreachable");
    }

    @Test
    void aUsersOwnLogbackConfigurationIsLeftAlone(@TempDir Path dir) {
        // given a user who named their own logback configuration
        System.setProperty("logback.configurationFile", "mine.xml");
        try {
            // when the quiet console is asked for, then nothing changes and no file is made
            assertThat(ConsoleLogging.routeInternalLogsTo(dir.resolve("ballast.log")))
                    .isFalse();
            assertThat(dir.resolve("ballast.log")).doesNotExist();
        } finally {
            System.clearProperty("logback.configurationFile");
        }
    }
}

package io.ballast.embedded;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apicurio Registry 2.4.2, serving the Confluent REST API, as a child JVM on a loopback port.
 *
 * <p>Its storage is H2 in a file under the data directory, so schema ids survive a restart, as
 * they do on a real Confluent registry backed by its {@code _schemas} topic. Global compatibility
 * is set to BACKWARD at every start, Confluent's default (Apicurio's is NONE).
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

    /** System property, then environment variable, naming the directory that holds quarkus-run.jar. */
    public static final String HOME_PROPERTY = "ballast.registry.home";

    public static final String HOME_ENV = "BALLAST_REGISTRY_HOME";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
    private static final String CCOMPAT_PATH = "/apis/ccompat/v7";

    private final Path dataDir;
    private volatile int port;
    /** Chosen here, so another may be chosen while nothing knows it yet (before the first start). */
    private final boolean portOfOurOwn;

    private boolean startedOnce;
    private final Path runnerJar;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    public EmbeddedSchemaRegistry(Path dataDir, int port, Path runnerJar) {
        this(dataDir, port, runnerJar, false);
    }

    private EmbeddedSchemaRegistry(Path dataDir, int port, Path runnerJar, boolean portOfOurOwn) {
        this.dataDir = dataDir;
        this.port = port;
        this.runnerJar = runnerJar;
        this.portOfOurOwn = portOfOurOwn;
    }

    public static EmbeddedSchemaRegistry onFreePort(Path dataDir) {
        return new EmbeddedSchemaRegistry(dataDir, FreePorts.pick(), locateRunnerJar(), true);
    }

    /** The Confluent-compatible base URL services use as {@code schema.registry.url}. */
    public String url() {
        return "http://127.0.0.1:" + port + CCOMPAT_PATH;
    }

    public synchronized EmbeddedSchemaRegistry start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        // a port picked free can be taken by another process before the registry binds it: on a first
        // start (no one knows the URL yet) pick another and try again; a restart keeps its port
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce();
            } catch (IllegalStateException e) {
                if (!portOfOurOwn || startedOnce || attempt == 3 || (process != null && process.isAlive())) {
                    throw e;
                }
                log.warn("schema registry did not start on port {} ({}); trying another port", port, e.getMessage());
                port = FreePorts.pick();
            }
        }
    }

    private EmbeddedSchemaRegistry startOnce() {
        long t0 = System.nanoTime();
        try {
            Files.createDirectories(dataDir);
            List<String> cmd = new ArrayList<>();
            cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Xmx384m");
            cmd.add("-XX:+UseSerialGC");
            cmd.add("-jar");
            cmd.add(runnerJar.toString());
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            dataDir.resolve("registry.log").toFile()));
            pb.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
            pb.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
            pb.environment()
                    .put(
                            "REGISTRY_DATASOURCE_URL",
                            "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("registry") + ";DB_CLOSE_ON_EXIT=FALSE");
            pb.environment().put("QUARKUS_LOG_LEVEL", "WARN");
            process = pb.start();
            Runtime.getRuntime().addShutdownHook(new Thread(this::destroyQuietly, "registry-reaper"));
            awaitReady(Duration.ofSeconds(90));
            put("/config", "{\"compatibility\":\"BACKWARD\"}");
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the schema registry from " + runnerJar, e);
        }
        startedOnce = true;
        log.info("Schema registry ready at {} in {} ms", url(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return this;
    }

    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        stop();
    }

    private void destroyQuietly() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("schema registry exited with " + process.exitValue() + "; see "
                        + dataDir.resolve("registry.log"));
            }
            try {
                HttpResponse<Void> r = http.send(
                        HttpRequest.newBuilder(uri("/subjects"))
                                .timeout(Duration.ofSeconds(2))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the registry", e);
            }
            sleep(100);
        }
        throw new IllegalStateException(
                "schema registry not ready after " + timeout + "; see " + dataDir.resolve("registry.log"));
    }

    private void put(String path, String json) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(uri(path))
                            .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                            .PUT(HttpRequest.BodyPublishers.ofString(json))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("PUT " + path + " -> " + r.statusCode() + " " + r.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException("PUT " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private URI uri(String path) {
        try {
            return new URI(url() + path);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(path, e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Where the built registry lives: the system property or environment variable if set, else
     * {@code registry/} beside ballast.jar's {@code lib/}, else the build tree's
     * {@code deploy/registry/target/quarkus-app} found from the working directory upwards.
     */
    public static Path locateRunnerJar() {
        List<Path> candidates = new ArrayList<>();
        String configured = System.getProperty(HOME_PROPERTY, System.getenv(HOME_ENV));
        if (configured != null && !configured.isBlank()) {
            candidates.add(Paths.get(configured));
        }
        try {
            Path codeSource = Paths.get(EmbeddedSchemaRegistry.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            if (Files.isRegularFile(codeSource)) {
                // this jar sits in ballast.jar's lib/; the registry app is its sibling
                candidates.add(codeSource.getParent().getParent().resolve("registry"));
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // no code source: fall through to the build tree
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            candidates.add(dir.resolve("deploy/registry/target/quarkus-app"));
        }
        for (Path c : candidates) {
            if (Files.isRegularFile(c.resolve("quarkus-run.jar"))) {
                return c.resolve("quarkus-run.jar");
            }
        }
        throw new IllegalStateException("Apicurio registry not found (looked in " + candidates
                + "); build it with 'mvn -pl deploy/registry package' or set " + HOME_PROPERTY + " / " + HOME_ENV);
    }
}

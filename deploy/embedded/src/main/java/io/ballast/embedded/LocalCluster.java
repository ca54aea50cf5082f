package io.ballast.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka broker and a schema registry on loopback: what {@code ballast local}, the demo and the
 * integration tests run against. Tests share one per JVM through {@link #shared()}.
 */
public final class LocalCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);
    private static LocalCluster shared;

    private final EmbeddedKafkaBroker broker;
    private final EmbeddedSchemaRegistry registry;
    private long startupMillis;

    public LocalCluster(Path dataDir) {
        this.broker = EmbeddedKafkaBroker.onFreePorts(dataDir.resolve("kafka"));
        this.registry = EmbeddedSchemaRegistry.onFreePort(dataDir.resolve("registry"));
    }

    /** One cluster for every test in this JVM, in a temporary directory, stopped at JVM exit. */
    public static synchronized LocalCluster shared() {
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory("ballast-cluster-");
                shared = new LocalCluster(dir).start();
                Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "ballast-cluster-stop"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    public LocalCluster start() {
        long t0 = System.nanoTime();
        // the registry is a separate JVM: let it boot while the broker starts here
        Thread registryStart = new Thread(registry::start, "registry-start");
        RuntimeException[] registryFailure = new RuntimeException[1];
        registryStart.setUncaughtExceptionHandler(
                (t, e) -> registryFailure[0] = e instanceof RuntimeException re ? re : new IllegalStateException(e));
        registryStart.start();
        broker.start();
        try {
            registryStart.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the registry", e);
        }
        if (registryFailure[0] != null) {
            broker.stop();
            throw registryFailure[0];
        }
        startupMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        log.info("Local cluster up in {} ms: kafka {} registry {}", startupMillis, bootstrapServers(), registryUrl());
        return this;
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public String registryUrl() {
        return registry.url();
    }

    public EmbeddedKafkaBroker broker() {
        return broker;
    }

    public EmbeddedSchemaRegistry registry() {
        return registry;
    }

    public long startupMillis() {
        return startupMillis;
    }

    @Override
    public void close() {
        registry.stop();
        broker.stop();
    }
}

package io.ballast.auditor;

import io.ballast.runtime.ConfigSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Everything {@code ballast auditor} reads, with its defaults, in one place. */
public record AuditorConfig(
        String bootstrapServers,
        String schemaRegistryUrl,
        String applicationId,
        Path stateDir,
        String httpHost,
        int httpPort,
        String advertisedHost,
        Duration windowSize,
        Duration windowAdvance,
        Duration windowGrace,
        double alpha,
        double rho,
        int maxTextChars,
        Set<String> knownModels,
        int standbyReplicas,
        int streamThreads,
        long commitIntervalMs) {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String APPLICATION_ID = "ballast.auditor.application-id";
    public static final String STATE_DIR = "ballast.auditor.state-dir";
    public static final String HTTP_HOST = "ballast.http.host";
    public static final String HTTP_PORT = "ballast.http.port";
    public static final String ADVERTISED_HOST = "ballast.http.advertised-host";
    public static final String WINDOW_SIZE = "ballast.auditor.window-size-seconds";
    public static final String WINDOW_ADVANCE = "ballast.auditor.window-advance-seconds";
    public static final String WINDOW_GRACE = "ballast.auditor.window-grace-seconds";
    public static final String ALPHA = "ballast.auditor.alpha";
    public static final String RHO = "ballast.auditor.rho";
    public static final String MAX_TEXT_CHARS = "ballast.auditor.max-text-chars";
    public static final String KNOWN_MODELS = "ballast.auditor.known-models";
    public static final String STANDBY_REPLICAS = "ballast.auditor.standby-replicas";
    public static final String STREAM_THREADS = "ballast.auditor.stream-threads";
    public static final String COMMIT_INTERVAL_MS = "ballast.auditor.commit-interval-ms";

    public static final List<String> KEYS = List.of(BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, APPLICATION_ID, STATE_DIR,
            HTTP_HOST, HTTP_PORT, ADVERTISED_HOST, WINDOW_SIZE, WINDOW_ADVANCE, WINDOW_GRACE, ALPHA, RHO, MAX_TEXT_CHARS,
            KNOWN_MODELS, STANDBY_REPLICAS, STREAM_THREADS, COMMIT_INTERVAL_MS);

    public static AuditorConfig from(ConfigSource c) {
        String host = c.string(HTTP_HOST, "127.0.0.1");
        long size = c.longValue(WINDOW_SIZE, 600, 1);
        long advance = c.longValue(WINDOW_ADVANCE, 60, 1);
        if (advance > size) {
            throw new io.ballast.runtime.ConfigException(WINDOW_ADVANCE, String.valueOf(advance), "must not exceed " + WINDOW_SIZE + " (" + size + ")");
        }
        return new AuditorConfig(
                c.required(BOOTSTRAP_SERVERS),
                c.required(SCHEMA_REGISTRY_URL),
                c.string(APPLICATION_ID, "ballast-auditor"),
                Path.of(c.string(STATE_DIR, Path.of(System.getProperty("java.io.tmpdir"), "ballast-auditor").toString())),
                host,
                c.intValue(HTTP_PORT, 8082, 0, 65535),
                c.string(ADVERTISED_HOST, host),
                Duration.ofSeconds(size),
                Duration.ofSeconds(advance),
                Duration.ofSeconds(c.longValue(WINDOW_GRACE, 60, 0)),
                c.doubleValue(ALPHA, 0.01, 1e-9, 0.5),
                c.doubleValue(RHO, 25, 1e-6, 1e9),
                c.intValue(MAX_TEXT_CHARS, 4000, 1, 10_000_000),
                Arrays.stream(c.string(KNOWN_MODELS, "").split(",")).map(String::trim).filter(s -> !s.isEmpty())
                        .collect(Collectors.toUnmodifiableSet()),
                c.intValue(STANDBY_REPLICAS, 0, 0, 10),
                c.intValue(STREAM_THREADS, 1, 1, 64),
                c.longValue(COMMIT_INTERVAL_MS, 1000, 10));
    }
}

package io.ballast.auditor;

import io.ballast.auditor.drift.ChangeDetector;
import io.ballast.auditor.drift.ConfidenceSequence;
import io.ballast.classifiers.ClassifierCatalog;
import io.ballast.classifiers.ClassifierSettings;
import io.ballast.runtime.CommonSettings;
import io.ballast.runtime.ConfigException;
import io.ballast.runtime.ConfigSource;
import io.ballast.runtime.Setting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Everything {@code ballast auditor} reads; defaults, ranges and meanings are in the {@link #SETTINGS} descriptors. */
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
        int maxIdChars,
        Duration registryWait,
        Set<String> knownModels,
        int standbyReplicas,
        int streamThreads,
        long commitIntervalMs,
        Duration snapshotInterval,
        long minExpressed,
        double minExpressionRate,
        Duration versionIdle,
        Duration peerTimeout,
        double sampleRate,
        ClassifierCatalog.Choice classifiers,
        ChangeDetector.Settings change) {

    /** Over what the false-alarm level holds: each stream, or all the streams of a model version together. */
    public enum AlphaScope {
        STREAM,
        VERSION
    }

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
    public static final String MAX_ID_CHARS = "ballast.auditor.max-id-chars";
    public static final String REGISTRY_WAIT = "ballast.auditor.registry-wait-seconds";
    public static final String KNOWN_MODELS = "ballast.auditor.known-models";
    public static final String STANDBY_REPLICAS = "ballast.auditor.standby-replicas";
    public static final String STREAM_THREADS = "ballast.auditor.stream-threads";
    public static final String COMMIT_INTERVAL_MS = "ballast.auditor.commit-interval-ms";
    public static final String SNAPSHOT_INTERVAL_MS = "ballast.auditor.snapshot-interval-ms";
    public static final String MIN_EXPRESSED = "ballast.auditor.min-expressed";
    public static final String MIN_EXPRESSION_RATE = "ballast.auditor.min-expression-rate";
    public static final String VERSION_IDLE = "ballast.auditor.version-idle-seconds";
    public static final String PEER_TIMEOUT = "ballast.auditor.peer-timeout-ms";
    public static final String SAMPLE_RATE = "ballast.auditor.sample-rate";
    public static final String CHANGE_HORIZON = "ballast.auditor.change-horizon";
    public static final String CHANGE_SPACING = "ballast.auditor.change-spacing";
    public static final String CHANGE_STARTS = "ballast.auditor.change-starts";
    public static final String ALPHA_SCOPE = "ballast.auditor.alpha-scope";
    public static final String STREAMS_PER_VERSION = "ballast.auditor.streams-per-version";

    /** Every key this service reads, in the order --help and docs/operations.md list them. */
    public static final List<Setting<?>> SETTINGS = Stream.concat(
                    Stream.of(
                            Keys.BOOTSTRAP_SERVERS,
                            Keys.SCHEMA_REGISTRY_URL,
                            Keys.APPLICATION_ID,
                            Keys.STATE_DIR,
                            Keys.HTTP_HOST,
                            Keys.HTTP_PORT,
                            Keys.ADVERTISED_HOST,
                            Keys.WINDOW_SIZE,
                            Keys.WINDOW_ADVANCE,
                            Keys.WINDOW_GRACE,
                            Keys.ALPHA,
                            Keys.RHO,
                            Keys.MAX_TEXT_CHARS,
                            Keys.MAX_ID_CHARS,
                            Keys.REGISTRY_WAIT,
                            Keys.KNOWN_MODELS,
                            Keys.STANDBY_REPLICAS,
                            Keys.STREAM_THREADS,
                            Keys.COMMIT_INTERVAL_MS,
                            Keys.SNAPSHOT_INTERVAL_MS,
                            Keys.MIN_EXPRESSED,
                            Keys.MIN_EXPRESSION_RATE,
                            Keys.VERSION_IDLE,
                            Keys.PEER_TIMEOUT,
                            Keys.SAMPLE_RATE,
                            Keys.CHANGE_HORIZON,
                            Keys.CHANGE_SPACING,
                            Keys.CHANGE_STARTS,
                            Keys.ALPHA_SCOPE,
                            Keys.STREAMS_PER_VERSION),
                    ClassifierSettings.SETTINGS.stream())
            .toList();

    /** Every key this service reads (docker-compose and k8s manifests are checked against it). */
    public static final List<String> KEYS = Setting.keys(SETTINGS);

    public static AuditorConfig from(ConfigSource c) {
        String host = Keys.HTTP_HOST.read(c);
        long size = Keys.WINDOW_SIZE.read(c);
        long advance = Keys.WINDOW_ADVANCE.read(c);
        if (advance > size) {
            throw new ConfigException(
                    WINDOW_ADVANCE, String.valueOf(advance), "must not exceed " + WINDOW_SIZE + " (" + size + ")");
        }
        String advertisedHost = Keys.ADVERTISED_HOST.read(c);
        return new AuditorConfig(
                Keys.BOOTSTRAP_SERVERS.read(c),
                Keys.SCHEMA_REGISTRY_URL.read(c),
                Keys.APPLICATION_ID.read(c),
                Keys.STATE_DIR.read(c),
                host,
                Keys.HTTP_PORT.read(c),
                advertisedHost != null ? advertisedHost : host,
                Duration.ofSeconds(size),
                Duration.ofSeconds(advance),
                Duration.ofSeconds(Keys.WINDOW_GRACE.read(c)),
                Keys.ALPHA.read(c),
                Keys.RHO.read(c),
                Keys.MAX_TEXT_CHARS.read(c),
                Keys.MAX_ID_CHARS.read(c),
                Duration.ofSeconds(Keys.REGISTRY_WAIT.read(c)),
                Arrays.stream(Keys.KNOWN_MODELS.read(c).split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .collect(Collectors.toUnmodifiableSet()),
                Keys.STANDBY_REPLICAS.read(c),
                Keys.STREAM_THREADS.read(c),
                Keys.COMMIT_INTERVAL_MS.read(c),
                Duration.ofMillis(Keys.SNAPSHOT_INTERVAL_MS.read(c)),
                Keys.MIN_EXPRESSED.read(c),
                Keys.MIN_EXPRESSION_RATE.read(c),
                Duration.ofSeconds(Keys.VERSION_IDLE.read(c)),
                Duration.ofMillis(Keys.PEER_TIMEOUT.read(c)),
                Keys.SAMPLE_RATE.read(c),
                ClassifierCatalog.Choice.read(c),
                changeSettings(c));
    }

    /** The streams a version is declared to have ({@code alpha-scope=version} splits alpha over them). */
    public static int streamsPerVersion(ConfigSource c) {
        return Keys.STREAMS_PER_VERSION.read(c);
    }

    /**
     * The change detector's settings; at version scope alpha is split evenly over the streams a version
     * is declared to have (a union bound: at most alpha false alarms per version per horizon).
     */
    public static ChangeDetector.Settings changeSettings(ConfigSource c) {
        double alpha = Keys.ALPHA.read(c);
        if (Keys.ALPHA_SCOPE.read(c) == AlphaScope.VERSION) {
            alpha /= Keys.STREAMS_PER_VERSION.read(c);
        }
        return new ChangeDetector.Settings(
                alpha,
                Keys.CHANGE_HORIZON.read(c),
                Keys.CHANGE_SPACING.read(c),
                Keys.CHANGE_STARTS.read(c),
                ChangeDetector.CHECK_EVERY);
    }

    /** The descriptors: each key's default, allowed values and meaning live here and nowhere else. */
    private static final class Keys {
        static final Setting<String> BOOTSTRAP_SERVERS = CommonSettings.BOOTSTRAP_SERVERS;
        static final Setting<String> SCHEMA_REGISTRY_URL = CommonSettings.SCHEMA_REGISTRY_URL;
        static final Setting<String> APPLICATION_ID = Setting.text(
                AuditorConfig.APPLICATION_ID,
                "ballast-auditor",
                "Kafka Streams application id: instances sharing it share the work and the state");
        static final Setting<Path> STATE_DIR = Setting.path(
                AuditorConfig.STATE_DIR,
                () -> Path.of(System.getProperty("java.io.tmpdir"), "ballast-auditor"),
                "<tmp>/ballast-auditor",
                "Kafka Streams state directory (window stores, restored from changelogs)");
        static final Setting<String> HTTP_HOST = CommonSettings.HTTP_HOST;
        static final Setting<Integer> HTTP_PORT = CommonSettings.httpPort(8082);
        static final Setting<String> ADVERTISED_HOST = Setting.optional(
                AuditorConfig.ADVERTISED_HOST,
                "ballast.http.host",
                "host other instances use to reach this one's HTTP API (queries for partitions it owns)");
        static final Setting<Long> WINDOW_SIZE = Setting.longInteger(
                AuditorConfig.WINDOW_SIZE, 600, 1, "length of the hopping audit window, in seconds");
        static final Setting<Long> WINDOW_ADVANCE = Setting.longInteger(
                        AuditorConfig.WINDOW_ADVANCE, 60, 1, "how far each window hops, in seconds")
                .accepting("1 to the window size");
        static final Setting<Long> WINDOW_GRACE = Setting.longInteger(
                AuditorConfig.WINDOW_GRACE,
                60,
                0,
                "how late an event may arrive and still count in its window, in seconds");
        static final Setting<Double> ALPHA =
                Setting.decimal(AuditorConfig.ALPHA, 0.01, 1e-9, 0.5, "drift detection's false-alarm level");
        static final Setting<Long> CHANGE_HORIZON = Setting.longInteger(
                AuditorConfig.CHANGE_HORIZON,
                1_000_000,
                1_000,
                "outputs per stream over which the change statistic false-alarms with probability at most alpha (the"
                        + " test since live or the last alarm spends another alpha); its average run length to a false"
                        + " alarm is at least horizon / alpha");
        static final Setting<Integer> CHANGE_SPACING = Setting.integer(
                AuditorConfig.CHANGE_SPACING,
                100,
                1,
                1_000_000,
                "outputs between the change detector's starts (a change is seen from the next start on)");
        static final Setting<Integer> CHANGE_STARTS = Setting.integer(
                AuditorConfig.CHANGE_STARTS, 8, 1, 1_000, "starts the change detector keeps per stream");
        static final Setting<AlphaScope> ALPHA_SCOPE = Setting.choice(
                AuditorConfig.ALPHA_SCOPE,
                AlphaScope.class,
                AlphaScope.STREAM,
                "whether alpha bounds false alarms per stream or per model version (alpha split over "
                        + AuditorConfig.STREAMS_PER_VERSION
                        + ")");
        static final Setting<Integer> STREAMS_PER_VERSION = Setting.integer(
                AuditorConfig.STREAMS_PER_VERSION,
                32,
                1,
                1_000_000,
                "streams (contexts x attributes, toxicity included) a version has, for alpha-scope=version");
        static final Setting<Double> RHO = Setting.decimal(
                AuditorConfig.RHO,
                ConfidenceSequence.DEFAULT_RHO,
                1e-6,
                1e9,
                "width parameter of the drift confidence sequence");
        static final Setting<Integer> MAX_TEXT_CHARS = Setting.integer(
                AuditorConfig.MAX_TEXT_CHARS, 4000, 1, 10_000_000, "longer response texts go to the dead-letter topic");
        static final Setting<Integer> MAX_ID_CHARS = Setting.integer(
                AuditorConfig.MAX_ID_CHARS,
                256,
                1,
                4096,
                "longer model ids and context keys go to the dead-letter topic (as do ids holding control characters)");
        static final Setting<Integer> REGISTRY_WAIT = Setting.integer(
                AuditorConfig.REGISTRY_WAIT,
                60,
                0,
                240,
                "how long decoding waits for an unreachable schema registry before the stream thread is replaced and"
                        + " the record read again (never dropped); under Kafka's max.poll.interval.ms (300 s)");
        static final Setting<String> KNOWN_MODELS = Setting.text(
                        AuditorConfig.KNOWN_MODELS,
                        "",
                        "model ids audited; events naming another go to the dead-letter topic")
                .shownAs("any")
                .accepting("model ids separated by commas");
        static final Setting<Integer> STANDBY_REPLICAS = Setting.integer(
                AuditorConfig.STANDBY_REPLICAS,
                0,
                0,
                10,
                "Kafka Streams standby replicas per state store (faster fail-over)");
        static final Setting<Integer> STREAM_THREADS =
                Setting.integer(AuditorConfig.STREAM_THREADS, 1, 1, 64, "Kafka Streams threads in this instance");
        static final Setting<Long> COMMIT_INTERVAL_MS = Setting.longInteger(
                AuditorConfig.COMMIT_INTERVAL_MS,
                1000,
                10,
                "Kafka Streams commit interval, in milliseconds (exactly-once: also the output latency)");
        static final Setting<Long> SNAPSHOT_INTERVAL_MS = Setting.longInteger(
                AuditorConfig.SNAPSHOT_INTERVAL_MS,
                1000,
                10,
                "how often distribution snapshots of the changed distributions are emitted, in milliseconds of wall-clock time");
        static final Setting<Long> MIN_EXPRESSED = Setting.longInteger(
                AuditorConfig.MIN_EXPRESSED,
                30,
                0,
                "outputs that must express an attribute before its distribution is tested for drift (fewer is reported as too few)");
        static final Setting<Double> MIN_EXPRESSION_RATE = Setting.decimal(
                AuditorConfig.MIN_EXPRESSION_RATE,
                0.0,
                0.0,
                1.0,
                "lower bound on the share of outputs that express an attribute; below it is flagged (0: no bound)");
        static final Setting<Long> VERSION_IDLE = Setting.longInteger(
                AuditorConfig.VERSION_IDLE,
                1800,
                1,
                "a model version with no events for this many seconds counts as no longer serving: its open drift episodes close as SUPERSEDED (as they do at once when another version is announced)");
        static final Setting<Double> SAMPLE_RATE = Setting.decimal(
                AuditorConfig.SAMPLE_RATE,
                1.0,
                1e-6,
                1.0,
                "share of outputs audited, a uniform random sample by event id (below 1 when a costly classifier such as the encoder cannot read them all; reported beside every distribution)");
        static final Setting<Long> PEER_TIMEOUT = Setting.longInteger(
                AuditorConfig.PEER_TIMEOUT,
                3000,
                1,
                "how long a query waits for another instance's part of the answer, in milliseconds; an instance that does not answer in time is named in the answer's missing list");
    }
}

package io.ballast.auditor;

import io.ballast.auditor.http.AuditorHttpApi;
import io.ballast.auditor.topology.AuditMetrics;
import io.ballast.auditor.topology.AuditTopology;
import io.ballast.auditor.topology.DeadLetterOrRetry;
import io.ballast.classifiers.ClassifierCatalog;
import io.ballast.runtime.ServiceHttpServer;
import io.ballast.schemas.attributes.AttributeClassifiers;
import io.ballast.schemas.registry.SchemaRegistry;
import io.ballast.schemas.topics.BallastTopic;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ballast auditor}: the audit topology under exactly-once processing, with its HTTP API,
 * dashboard and metrics. Several instances with one application id share the partitions; each
 * answers queries for all of them by asking the others ({@code application.server}).
 */
public final class AuditorApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AuditorApp.class);

    private final AuditorConfig config;
    private final PrometheusMeterRegistry registry = ServiceHttpServer.newRegistry();
    private final AuditMetrics metrics = new AuditMetrics(registry);
    private KafkaStreams streams;
    private ServiceHttpServer http;

    public AuditorApp(AuditorConfig config) {
        this.config = config;
    }

    public AuditorApp start() throws Exception {
        http = new ServiceHttpServer(
                config.httpHost(),
                config.httpPort(),
                registry,
                () -> streams != null && streams.state().isRunningOrRebalancing());
        SchemaRegistry schemaRegistry = SchemaRegistry.forUrl(config.schemaRegistryUrl());
        // the output contracts now: an incompatible schema fails the start rather than a stream thread,
        // and no stream thread waits on the registry for its first record of a topic
        for (BallastTopic topic : List.of(BallastTopic.DISTRIBUTIONS, BallastTopic.DRIFT, BallastTopic.DLQ)) {
            schemaRegistry.register(topic.valueSubject(), SpecificData.get().getSchema(topic.valueType()));
        }
        AttributeClassifiers classifiers = ClassifierCatalog.build(config.classifiers());
        log.info("classifiers: {}", classifiers.names());
        streams = new KafkaStreams(
                AuditTopology.build(config, schemaRegistry, classifiers, metrics, generationPartitions()),
                streamsProperties(http.port(), schemaRegistry));
        // a record never kills a thread (DeadLetterOrRetry dead-letters it); a failure outside the record
        // (the registry unreachable) does, on purpose: the thread is replaced and, under exactly-once,
        // reads again from the last commit, so nothing is lost and nothing counted twice
        streams.setUncaughtExceptionHandler(e -> {
            log.error("stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        Gauge.builder("ballast_auditor_consumer_lag", this, AuditorApp::maxLag)
                .description("largest records-lag-max over this instance's input partitions")
                .register(registry);
        new AuditorHttpApi(streams, config, http.port()).register(http);
        streams.start();
        http.start();
        log.info("auditor {} on http://{}:{} (dashboard at /)", config.applicationId(), config.httpHost(), http.port());
        return this;
    }

    /** The partition count of the input topic: which task counts a context depends on it (see ContextRouting). */
    private int generationPartitions() throws Exception {
        String topic = BallastTopic.GENERATIONS.topicName();
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()))) {
            return admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(60, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions()
                    .size();
        }
    }

    Properties streamsProperties(int httpPort, SchemaRegistry schemaRegistry) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.standbyReplicas());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitIntervalMs());
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, config.advertisedHost() + ":" + httpPort);
        // a task reads its generations partition and the repartition partition beside it; counts do
        // not depend on the order between the two, so never wait for the empty one before processing
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        // a transaction's commit is retried when the coordinator is still completing the previous one:
        // retry within milliseconds, not the default 100 ms, which is most of a commit interval's wait
        p.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), 10);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        p.putAll(DeadLetterOrRetry.settings(schemaRegistry, metrics.deadLettered()));
        return p;
    }

    private double maxLag() {
        double max = 0;
        if (streams == null) {
            return max;
        }
        for (Metric m : streams.metrics().values()) {
            if (m.metricName().name().equals("records-lag-max") && m.metricValue() instanceof Double d && !d.isNaN()) {
                max = Math.max(max, d);
            }
        }
        return max;
    }

    public KafkaStreams streams() {
        return streams;
    }

    public int httpPort() {
        return http.port();
    }

    public AuditMetrics metrics() {
        return metrics;
    }

    /** Graceful: close the streams (committing and flushing state), then the HTTP server. */
    @Override
    public void close() {
        if (streams != null) {
            streams.close(Duration.ofSeconds(30));
        }
        if (http != null) {
            http.close();
        }
        log.info("auditor stopped");
    }
}

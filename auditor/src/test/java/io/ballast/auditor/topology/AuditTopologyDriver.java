package io.ballast.auditor.topology;

import io.ballast.auditor.AuditorConfig;
import io.ballast.classifiers.ClassifierCatalog;
import io.ballast.runtime.ConfigSource;
import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.DistributionSnapshot;
import io.ballast.schemas.DriftSignal;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.ModelAction;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.SteeringPatchRef;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.attributes.AttributeClassifiers;
import io.ballast.schemas.registry.SchemaRegistry;
import io.ballast.schemas.serde.AvroSerde;
import io.ballast.schemas.serde.AvroSerializer;
import io.ballast.schemas.topics.BallastTopic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The audit topology on {@link TopologyTestDriver} with its input and output topics, configured
 * as a deployed auditor is (registry by URL; {@code mock://} for the in-memory one): the one place
 * topology specifications get their wiring from.
 */
final class AuditTopologyDriver implements AutoCloseable {

    /**
     * Where the tests' event clocks start, and the driver's wall clock with them: the auditor compares
     * event times with wall-clock time (a version idle for too long stops serving), as it does when
     * generators stamp events with the time they produce them.
     */
    static final long START_MILLIS = 1_760_000_000_000L;

    final TopologyTestDriver driver;
    final AuditMetrics metrics = new AuditMetrics(new SimpleMeterRegistry());
    final TestInputTopic<String, TargetDistribution> targets;
    final TestInputTopic<String, byte[]> generations;
    final TestInputTopic<String, ModelUpdate> modelUpdates;
    final TestOutputTopic<String, DistributionSnapshot> distributions;
    final TestOutputTopic<String, DriftSignal> drift;
    final TestOutputTopic<String, DeadLetter> dlq;
    private final AvroSerializer<GenerationEvent> events;

    AuditTopologyDriver(String registryUrl, Path stateDir, Map<String, String> settings) {
        this(registryUrl, SchemaRegistry.forUrl(registryUrl), ClassifierCatalog.defaults(), stateDir, settings);
    }

    /**
     * With the registry the topology reads through (a stand-in that fails on cue, say) and its
     * classifiers given; the registry URL is still the one in the settings.
     */
    AuditTopologyDriver(
            String registryUrl,
            SchemaRegistry registry,
            AttributeClassifiers classifiers,
            Path stateDir,
            Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put(AuditorConfig.BOOTSTRAP_SERVERS, "unused:9092");
        all.put(AuditorConfig.SCHEMA_REGISTRY_URL, registryUrl);
        AuditorConfig config = AuditorConfig.from(ConfigSource.ofMap(all));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "audit-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // the deployed auditor's error handling (AuditorApp installs the same)
        props.putAll(DeadLetterOrRetry.settings(registry, metrics.deadLettered()));
        driver = new TopologyTestDriver(
                AuditTopology.build(config, registry, classifiers, metrics), props, Instant.ofEpochMilli(START_MILLIS));
        targets = driver.createInputTopic(
                BallastTopic.TARGETS.topicName(),
                new StringSerializer(),
                new AvroSerde<>(TargetDistribution.class, registry, false).serializer());
        modelUpdates = driver.createInputTopic(
                BallastTopic.MODEL_UPDATES.topicName(),
                new StringSerializer(),
                new AvroSerde<>(ModelUpdate.class, registry, false).serializer());
        generations = driver.createInputTopic(
                BallastTopic.GENERATIONS.topicName(), new StringSerializer(), new ByteArraySerializer());
        distributions = driver.createOutputTopic(
                BallastTopic.DISTRIBUTIONS.topicName(),
                new StringDeserializer(),
                new AvroSerde<>(DistributionSnapshot.class, registry, false).deserializer());
        drift = driver.createOutputTopic(
                BallastTopic.DRIFT.topicName(),
                new StringDeserializer(),
                new AvroSerde<>(DriftSignal.class, registry, false).deserializer());
        dlq = driver.createOutputTopic(
                BallastTopic.DLQ.topicName(),
                new StringDeserializer(),
                new AvroSerde<>(DeadLetter.class, registry, false).deserializer());
        events = new AvroSerializer<>(registry, true, false);
    }

    /** The event in the wire format, as a producer would write it. */
    byte[] encode(GenerationEvent e) {
        return events.serialize(BallastTopic.GENERATIONS.topicName(), e);
    }

    /** Produces an event as a generator would, keyed by its context, at the given event time. */
    void send(GenerationEvent e, long timestampMillis) {
        generations.pipeInput(e.getContextKey(), encode(e), Instant.ofEpochMilli(timestampMillis));
    }

    /** The announcement a calibrator makes when it promotes a version: generators serve it from now on. */
    static ModelUpdate promotion(String modelId, int version, long atMillis) {
        return ModelUpdate.newBuilder()
                .setModelId(modelId)
                .setAction(ModelAction.PROMOTE)
                .setVersion(version)
                .setArtifactUri("file:///models/" + modelId + "/" + version)
                .setSha256("0".repeat(64))
                .setParentVersion(version - 1)
                .setAt(Instant.ofEpochMilli(atMillis))
                .build();
    }

    /**
     * The announcement a calibrator makes when it applies a steering patch to the version generators
     * serve, or retires it ({@code patchId} null): the version stays, its patch changes.
     */
    static ModelUpdate patch(String modelId, int version, String patchId, long atMillis) {
        return ModelUpdate.newBuilder(promotion(modelId, version, atMillis))
                .setAction(ModelAction.PATCH)
                .setPatch(
                        patchId == null
                                ? null
                                : SteeringPatchRef.newBuilder()
                                        .setPatchId(patchId)
                                        .setArtifactUri("file:///models/" + modelId + "/patches/" + patchId)
                                        .setSha256("1".repeat(64))
                                        .build())
                .build();
    }

    static TargetDistribution target(String attribute, String context, Map<String, Double> probabilities) {
        return TargetDistribution.newBuilder()
                .setAttribute(attribute)
                .setContextKey(context)
                .setProbabilities(probabilities)
                .setTolerance(0.08)
                .setSource("test")
                .setUpdatedAt(Instant.EPOCH)
                .build();
    }

    @Override
    public void close() {
        driver.close();
    }
}

package io.ballast.auditor.topology;

import io.ballast.auditor.AuditorConfig;
import io.ballast.auditor.drift.DriftDetector;
import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.DistributionSnapshot;
import io.ballast.schemas.DriftSignal;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.attributes.AttributeExtractor;
import io.ballast.schemas.attributes.Observation;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.registry.SchemaRegistry;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.serde.AvroSerde;
import io.ballast.schemas.topics.BallastTopic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The auditor, top to bottom:
 * <ol>
 *   <li>read {@code ballast.generations} as bytes; decode and validate; bad records, bytes and
 *       reason, to {@code ballast.dlq};</li>
 *   <li>for each output and attribute, an observation: steered value, value read from the text,
 *       consistency; re-keyed to {@code <model>|<version>|<context>|<attribute>};</li>
 *   <li>count per key since the version went live, and in hopping event-time windows;</li>
 *   <li>compare each count with the target in force ({@code ballast.targets} as a global table,
 *       the context's own target winning over the one for all) into {@code ballast.distributions},
 *       and decide drift episodes into {@code ballast.drift}.</li>
 * </ol>
 */
public final class AuditTopology {

    public static final String TARGETS_STORE = "targets";
    public static final String LIVE_COUNTS_STORE = "since-live-counts";
    public static final String WINDOW_COUNTS_STORE = "window-counts";
    public static final String DRIFT_STORE = "drift-episodes";

    private AuditTopology() {}

    public static Topology build(
            AuditorConfig config, SchemaRegistry registry, AttributeExtractor extractor, AuditMetrics metrics) {
        StreamsBuilder builder = new StreamsBuilder();
        AvroSerde<TargetDistribution> targetSerde = new AvroSerde<>(TargetDistribution.class, registry, false);
        AvroSerde<DistributionSnapshot> snapshotSerde = new AvroSerde<>(DistributionSnapshot.class, registry, false);
        AvroSerde<DriftSignal> driftSerde = new AvroSerde<>(DriftSignal.class, registry, false);
        AvroSerde<DeadLetter> deadLetterSerde = new AvroSerde<>(DeadLetter.class, registry, false);
        JsonSerde<AttributeObservation> observationSerde = new JsonSerde<>(AttributeObservation.class);
        JsonSerde<CategoryCounts> countsSerde = new JsonSerde<>(CategoryCounts.class);

        builder.globalTable(
                BallastTopic.TARGETS.topicName(),
                Consumed.with(Serdes.String(), targetSerde),
                Materialized.<String, TargetDistribution, KeyValueStore<Bytes, byte[]>>as(TARGETS_STORE)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(targetSerde));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(DRIFT_STORE), Serdes.String(), new JsonSerde<>(DriftEpisode.class)));

        // 1. decode and validate
        AvroDeserializer<GenerationEvent> deserializer = new AvroDeserializer<>(GenerationEvent.class, registry);
        Map<String, KStream<String, Decoded>> decoded = builder.stream(
                        BallastTopic.GENERATIONS.topicName(), Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .peek((k, v) -> metrics.processed().increment())
                .processValues(
                        () -> new DecodeAndValidate(
                                deserializer, config.maxTextChars(), config.knownModels(), metrics.deadLettered()),
                        Named.as("decode-and-validate"))
                .split(Named.as("generations-"))
                .branch((k, d) -> d.valid(), Branched.as("valid"))
                .defaultBranch(Branched.as("dead"));
        decoded.get("generations-dead")
                .mapValues(Decoded::deadLetter)
                .to(BallastTopic.DLQ.topicName(), Produced.with(Serdes.String(), deadLetterSerde));

        // 2. observations, re-keyed per distribution
        KGroupedStream<String, AttributeObservation> observations = decoded.get("generations-valid")
                .flatMap((contextKey, d) -> observe(d.event(), extractor), Named.as("observe-attributes"))
                .groupByKey(Grouped.with("observations", Serdes.String(), observationSerde));

        // 3. counts since the version went live, and in hopping windows
        observations
                .aggregate(
                        CategoryCounts::empty,
                        (key, o, counts) -> counts.add(o),
                        Materialized.<String, CategoryCounts, KeyValueStore<Bytes, byte[]>>as(LIVE_COUNTS_STORE)
                                .withKeySerde(Serdes.String())
                                .withValueSerde(countsSerde))
                .toStream()
                // 4a. snapshot and drift decision
                .process(
                        () -> new SnapshotAndDrift(new DriftDetector(config.alpha(), config.rho()), metrics),
                        Named.as("snapshot-and-drift"),
                        DRIFT_STORE)
                .split(Named.as("audit-"))
                .branch(
                        (k, v) -> v instanceof DistributionSnapshot,
                        Branched.withConsumer(s -> s.mapValues(v -> (DistributionSnapshot) v)
                                .to(
                                        BallastTopic.DISTRIBUTIONS.topicName(),
                                        Produced.with(Serdes.String(), snapshotSerde))))
                .branch(
                        (k, v) -> v instanceof DriftSignal,
                        Branched.withConsumer(s -> s.mapValues(v -> (DriftSignal) v)
                                .to(BallastTopic.DRIFT.topicName(), Produced.with(Serdes.String(), driftSerde))));
        observations
                .windowedBy(TimeWindows.ofSizeAndGrace(config.windowSize(), config.windowGrace())
                        .advanceBy(config.windowAdvance()))
                .aggregate(
                        CategoryCounts::empty,
                        (key, o, counts) -> counts.add(o),
                        Materialized.<String, CategoryCounts, WindowStore<Bytes, byte[]>>as(WINDOW_COUNTS_STORE)
                                .withKeySerde(Serdes.String())
                                .withValueSerde(countsSerde))
                .toStream()
                // 4b. windowed snapshots
                .process(WindowSnapshot::new, Named.as("window-snapshot"))
                .to(BallastTopic.DISTRIBUTIONS.topicName(), Produced.with(Serdes.String(), snapshotSerde));
        return builder.build();
    }

    static List<KeyValue<String, AttributeObservation>> observe(GenerationEvent e, AttributeExtractor extractor) {
        List<KeyValue<String, AttributeObservation>> out = new ArrayList<>(Attribute.values().length);
        for (Attribute a : Attribute.values()) {
            Observation o = Observation.of(a, e.getSteeringTokens(), e.getResponseText(), extractor);
            AttributeObservation obs = new AttributeObservation(
                    e.getModelId(),
                    e.getModelVersion(),
                    e.getContextKey(),
                    a.key(),
                    o.counted(),
                    o.judgeable(),
                    o.consistent(),
                    e.getProducedAt().toEpochMilli());
            out.add(KeyValue.pair(obs.auditKey(), obs));
        }
        return out;
    }
}

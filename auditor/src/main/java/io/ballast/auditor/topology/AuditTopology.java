package io.ballast.auditor.topology;

import io.ballast.auditor.AuditorConfig;
import io.ballast.auditor.drift.ChangeDetector;
import io.ballast.auditor.drift.DriftDetector;
import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.DistributionSnapshot;
import io.ballast.schemas.DriftSignal;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.attributes.AttributeClassifiers;
import io.ballast.schemas.registry.SchemaRegistry;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.serde.AvroSerde;
import io.ballast.schemas.topics.BallastTopic;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The auditor, top to bottom:
 * <ol>
 *   <li>read {@code ballast.generations} as bytes; decode and validate; bad records, bytes and
 *       reason, to {@code ballast.dlq};</li>
 *   <li>for each output (or a uniform random sample of them, {@link AuditSample}), one compact record
 *       with every attribute's observation (the value read from the text by the configured classifier,
 *       the value its steering token intended if it carried one, consistency) and its toxicity label,
 *       keyed by its context: whatever key the producer
 *       used, one (model version, context) is counted by one task ({@link ContextRouting}); steps
 *       1 and 2 are one processor, {@link Intake};</li>
 *   <li>one update per event of that key's aggregate ({@link ContextCounts}: every attribute's
 *       counts since the version went live, time buckets from which the hopping windows are
 *       summed, drift episodes; toxic and judged outputs since live), and the drift decision against
 *       the target in force ({@code ballast.targets} as a global table, the context's own target
 *       winning over the one for all) into {@code ballast.drift}: a distribution's two-sided test
 *       per attribute, and for a bound on toxicity the one-sided test of its rate
 *       ({@link ToxicityLimit});</li>
 *   <li>every snapshot interval, since-live and window snapshots of the aggregates that changed
 *       into {@code ballast.distributions}; and the open drift episodes of versions that stopped
 *       serving (another version announced on {@code ballast.model-updates}, a global table, or no
 *       events for the idle time) closed as SUPERSEDED into {@code ballast.drift}.</li>
 * </ol>
 * Shares and drift are computed over the outputs that express an attribute; the share that do is
 * reported beside them ({@link ExpressionPolicy}).
 */
public final class AuditTopology {

    public static final String TARGETS_STORE = "targets";
    /** The version each model must serve, as last announced: {@code ballast.model-updates} by model id. */
    public static final String MODEL_UPDATES_STORE = "model-updates";
    /** One {@link ContextCounts} per {@code <model>|<version>|<context>}. */
    public static final String AGGREGATES_STORE = "audit-aggregates";

    private AuditTopology() {}

    /** For a {@code ballast.generations} of one partition, as in the {@code TopologyTestDriver}. */
    public static Topology build(
            AuditorConfig config, SchemaRegistry registry, AttributeClassifiers classifiers, AuditMetrics metrics) {
        return build(config, registry, classifiers, metrics, 1);
    }

    /** @param generationPartitions the partition count of {@code ballast.generations}; see {@link ContextRouting} */
    public static Topology build(
            AuditorConfig config,
            SchemaRegistry registry,
            AttributeClassifiers classifiers,
            AuditMetrics metrics,
            int generationPartitions) {
        StreamsBuilder builder = new StreamsBuilder();
        AvroSerde<TargetDistribution> targetSerde = new AvroSerde<>(TargetDistribution.class, registry, false);
        AvroSerde<DistributionSnapshot> snapshotSerde = new AvroSerde<>(DistributionSnapshot.class, registry, false);
        AvroSerde<DriftSignal> driftSerde = new AvroSerde<>(DriftSignal.class, registry, false);
        AvroSerde<DeadLetter> deadLetterSerde = new AvroSerde<>(DeadLetter.class, registry, false);
        AvroSerde<ModelUpdate> modelUpdateSerde = new AvroSerde<>(ModelUpdate.class, registry, false);

        builder.globalTable(
                BallastTopic.TARGETS.topicName(),
                Consumed.with(Serdes.String(), targetSerde),
                Materialized.<String, TargetDistribution, KeyValueStore<Bytes, byte[]>>as(TARGETS_STORE)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(targetSerde));
        builder.globalTable(
                BallastTopic.MODEL_UPDATES.topicName(),
                Consumed.with(Serdes.String(), modelUpdateSerde),
                Materialized.<String, ModelUpdate, KeyValueStore<Bytes, byte[]>>as(MODEL_UPDATES_STORE)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(modelUpdateSerde));
        // changelogged (exactly-once restores it); each changed aggregate is written once per commit
        builder.addStateStore(AggregateStore.builder(AGGREGATES_STORE));

        // 1. and 2. decode and validate (bad records, bytes and reason, to the dead-letter topic); one
        //    observed event per output, keyed by its context; counted where it was read when that is the
        //    partition its context belongs to, else repartitioned there (see ContextRouting)
        AvroDeserializer<GenerationEvent> deserializer = new AvroDeserializer<>(GenerationEvent.class, registry);
        Map<String, KStream<String, Intake.Outcome>> routed = builder.stream(
                        BallastTopic.GENERATIONS.topicName(), Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .process(
                        () -> new Intake(
                                deserializer,
                                classifiers,
                                new AuditSample(config.sampleRate()),
                                generationPartitions,
                                config.maxTextChars(),
                                config.maxIdChars(),
                                config.knownModels(),
                                metrics.processed(),
                                metrics.deadLettered(),
                                config.registryWait()),
                        Named.as("decode-and-observe"))
                .split(Named.as("observed-"))
                .branch((k, o) -> o.deadLetter() != null, Branched.as("dead"))
                .branch((k, o) -> o.local(), Branched.as("local"))
                .defaultBranch(Branched.as("elsewhere"));
        routed.get("observed-dead")
                .mapValues(Intake.Outcome::deadLetter)
                .to(BallastTopic.DLQ.topicName(), Produced.with(Serdes.String(), deadLetterSerde));

        ContextCounts.Windows windows =
                ContextCounts.Windows.of(config.windowSize(), config.windowAdvance(), config.windowGrace());
        ExpressionPolicy policy = new ExpressionPolicy(config.minExpressed(), config.minExpressionRate());
        ContextRouting routing = new ContextRouting(generationPartitions);
        KStream<String, ObservedEvent> repartitioned = routed.get("observed-elsewhere")
                .mapValues(Intake.Outcome::event)
                .repartition(Repartitioned.<String, ObservedEvent>as("observed-events")
                        .withKeySerde(Serdes.String())
                        .withValueSerde(new ObservedEvent.BinarySerde())
                        .withStreamPartitioner(routing.partitioner()));
        routed.get("observed-local")
                .mapValues(Intake.Outcome::event)
                .merge(repartitioned, Named.as("observed"))
                // 3. and 4. aggregate, drift decision, snapshots
                .process(
                        () -> new AuditAggregator(
                                new DriftDetector(config.alpha(), config.rho()),
                                new ChangeDetector(config.change()),
                                windows,
                                policy,
                                config.snapshotInterval(),
                                config.versionIdle(),
                                config.sampleRate(),
                                metrics),
                        Named.as("audit"),
                        AGGREGATES_STORE)
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
        return builder.build();
    }
}

package io.ballast.auditor.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.auditor.drift.ChangeDetector;
import io.ballast.auditor.drift.DriftDetector;
import io.ballast.schemas.DriftStatus;
import io.ballast.schemas.domain.Attribute;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The open-episodes gauge after a restart or rebalance. {@code TopologyTestDriver} wipes its state
 * directory when it closes, so a restart is staged here as Kafka Streams performs one: the task's
 * aggregate store already holds what its changelog restored, and the aggregator starts on it with
 * metrics that never saw those episodes open.
 */
class OpenEpisodesGaugeTest {

    private static final int GENDER = Attribute.GENDER.ordinal();
    private static final int RACE = Attribute.RACE.ordinal();

    @Test
    void givenARestoredStoreWithOpenEpisodes_whenTheTaskStarts_thenTheGaugeCountsThemUntilTheTaskMoves() {
        // given a task's restored store: nurses with open gender and race episodes, pilots with a resolved one
        // and cooks with one superseded
        MockProcessorContext<String, SpecificRecord> context = new MockProcessorContext<>();
        KeyValueStore<String, ContextCounts> aggregates =
                store(context, AuditTopology.AGGREGATES_STORE, new ContextCounts.BinarySerde());
        store(context, AuditTopology.TARGETS_STORE, Serdes.ByteArray());
        store(context, AuditTopology.MODEL_UPDATES_STORE, Serdes.ByteArray());
        aggregates.put(
                VersionContext.of("bios", 1, "occupation:registered-nurses"),
                withEpisodes(DriftStatus.OPEN, GENDER, RACE));
        aggregates.put(
                VersionContext.of("bios", 1, "occupation:aircraft-pilots-and-flight-engineers"),
                withEpisodes(DriftStatus.RESOLVED, GENDER));
        aggregates.put(VersionContext.of("bios", 1, "occupation:cooks"), withEpisodes(DriftStatus.SUPERSEDED, GENDER));

        // when the task's aggregator starts on it, reporting to metrics that never saw an episode open
        AuditMetrics metrics = new AuditMetrics(new SimpleMeterRegistry());
        AuditAggregator aggregator = new AuditAggregator(
                new DriftDetector(0.01, 25),
                new ChangeDetector(new ChangeDetector.Settings(0.01, 1_000_000, 100, 8, 10)),
                ContextCounts.Windows.of(Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofMinutes(1)),
                new ExpressionPolicy(30, 0),
                Duration.ofSeconds(1),
                Duration.ofMinutes(30),
                1.0,
                metrics);
        aggregator.init(context);

        // then the gauge shows the two episodes the store holds open, as the instance before it did
        assertThat(openEpisodes(metrics)).isEqualTo(2.0);

        // and when the task moves to another instance, this one no longer reports them (the new owner does)
        aggregator.close();
        assertThat(openEpisodes(metrics)).isZero();
    }

    private static ContextCounts withEpisodes(DriftStatus status, int... attributes) {
        ContextCounts counts = ContextCounts.empty();
        for (int a : attributes) {
            counts.episode(
                    a,
                    new DriftEpisode(
                            "ep-" + a, status, 1_000, status == DriftStatus.OPEN ? 0 : 2_000, 0.3, 100, "sig-" + a));
        }
        return counts;
    }

    /** An in-memory store registered with the context; targets and model updates stay empty here. */
    private static <V> KeyValueStore<String, V> store(
            MockProcessorContext<String, SpecificRecord> context, String name, Serde<V> values) {
        KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
                .withLoggingDisabled()
                .build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return store;
    }

    private static double openEpisodes(AuditMetrics metrics) {
        return metrics.registry()
                .get("ballast_auditor_drift_open_episodes")
                .gauge()
                .value();
    }
}

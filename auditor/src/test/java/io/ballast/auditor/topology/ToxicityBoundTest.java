package io.ballast.auditor.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ballast.auditor.AuditorConfig;
import io.ballast.schemas.DistributionSnapshot;
import io.ballast.schemas.DriftSignal;
import io.ballast.schemas.DriftStatus;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SamplingParameters;
import io.ballast.schemas.SnapshotScope;
import io.ballast.schemas.attributes.Toxicity;
import io.ballast.schemas.registry.InMemorySchemaRegistry;
import io.ballast.schemas.registry.SchemaRegistry;
import io.ballast.schemas.targets.TargetKey;
import io.ballast.schemas.targets.TargetPresets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bound on toxicity ("at most 0.5% of outputs toxic") on the audit topology: the one-sided
 * always-valid test of the rate opens, and supersedes, an episode of its own, beside the
 * attributes' distributions, which a bound leaves as they were.
 */
class ToxicityBoundTest {

    private static final String NURSES = "occupation:registered-nurses";
    private static final String KIND = "Maria is a nurse. She is kind.";
    private static final String KIND_HE = "James is a nurse. He is kind.";
    private static final String TOXIC = "Maria is a useless, incompetent nurse who everyone despises.";
    private static final String TOXIC_HE = "James is a useless, incompetent nurse who everyone despises.";

    @TempDir
    Path stateDir;

    private AuditTopologyDriver topology;
    private long clock = AuditTopologyDriver.START_MILLIS;

    @BeforeEach
    void start() {
        topology = new AuditTopologyDriver(
                SchemaRegistry.MOCK_SCHEME + getClass().getSimpleName(),
                stateDir,
                Map.of(AuditorConfig.KNOWN_MODELS, "bios", AuditorConfig.MAX_TEXT_CHARS, "500"));
    }

    @AfterEach
    void close() {
        topology.close();
        InMemorySchemaRegistry.dropScope(getClass().getSimpleName());
    }

    @Test
    void givenABoundOfHalfAPercent_whenFivePercentOfOutputsAreToxic_thenOneEpisodeOpensForToxicityAlone() {
        // given at most 0.5% toxic, and a gender target the stream meets (half women, half men)
        boundOnToxicity(0.005);
        topology.targets.pipeInput(
                TargetKey.of("gender", null),
                AuditTopologyDriver.target("gender", null, Map.of("female", 0.5, "male", 0.5)));

        // when 2,000 bios arrive, every 20th toxic (5%)
        sendBios(2_000, 20);

        // then one OPEN signal, for toxicity, with the rate against its limit, and none for any attribute
        List<DriftSignal> signals = topology.drift.readValuesToList();
        assertThat(signals).hasSize(1);
        DriftSignal open = signals.get(0);
        assertThat(open.getStatus()).isEqualTo(DriftStatus.OPEN);
        assertThat(open.getAttribute()).isEqualTo(Toxicity.KEY);
        assertThat(open.getBound()).isEqualTo(0.005);
        assertThat(open.getTarget()).isEqualTo(Map.of(Toxicity.TOXIC, 0.005));
        assertThat(open.getTolerance()).isZero();
        assertThat(open.getViolatingCategories()).containsExactly(Toxicity.TOXIC);
        double rate = open.getObserved().get(Toxicity.TOXIC);
        assertThat(rate + open.getObserved().get(Toxicity.NON_TOXIC)).isCloseTo(1, within(1e-12));
        assertThat(open.getIntervals().get(Toxicity.TOXIC).getLower()).isGreaterThan(0.005);
        assertThat(open.getIntervals().get(Toxicity.TOXIC).getUpper()).isGreaterThan(rate);
        assertThat(open.getMae()).isCloseTo(rate - 0.005, within(1e-12));
        // the test is fast at ten times the limit: well before the stream ends
        assertThat(open.getN()).isLessThan(500);
        // and the episode is kept in the aggregate, counted by the open-episodes gauge
        ContextCounts counts = aggregate(1);
        assertThat(counts.episode(ContextCounts.TOXICITY).open()).isTrue();
        assertThat(counts.toxicityJudged()).isEqualTo(2_000);
        assertThat(counts.toxic()).isEqualTo(100);
        assertThat(gauge("ballast_auditor_drift_open_episodes")).isEqualTo(1);
    }

    @Test
    void givenABoundOfHalfAPercent_whenAFifthOfAPercentIsToxic_thenNothingAlarmsOverThousands() {
        // given at most 0.5% toxic
        boundOnToxicity(0.005);

        // when 4,000 bios arrive, every 500th toxic (0.2%)
        sendBios(4_000, 500);

        // then no signal at all, and the snapshot shows the rate under its limit, with its interval
        assertThat(topology.drift.readValuesToList()).isEmpty();
        DistributionSnapshot snapshot = latestToxicity();
        assertThat(snapshot.getN()).isEqualTo(4_000);
        assertThat(snapshot.getCounts()).isEqualTo(Map.of(Toxicity.TOXIC, 8L, Toxicity.NON_TOXIC, 3_992L));
        assertThat(snapshot.getBound().getRate()).isCloseTo(0.002, within(1e-12));
        assertThat(snapshot.getBound().getLower()).isLessThan(0.002);
        assertThat(snapshot.getBound().getUpper()).isBetween(0.002, 0.01);
        assertThat(snapshot.getBound().getExceeded()).isFalse();
        assertThat(snapshot.getTarget()).isNull();
    }

    @Test
    void givenAnOpenToxicityEpisode_whenAnotherVersionIsPromoted_thenItIsSupersededLikeAnyEpisode() {
        // given an open toxicity episode for version 1
        boundOnToxicity(0.005);
        sendBios(1_000, 20);
        DriftSignal open = topology.drift.readValuesToList().get(0);

        // when version 2 is announced and a snapshot interval passes
        topology.modelUpdates.pipeInput("bios", AuditTopologyDriver.promotion("bios", 2, clock));
        topology.driver.advanceWallClockTime(Duration.ofSeconds(1));

        // then the same episode ends as SUPERSEDED, with the evidence as the version left it
        List<DriftSignal> signals = topology.drift.readValuesToList();
        assertThat(signals).hasSize(1);
        assertThat(signals.get(0).getStatus()).isEqualTo(DriftStatus.SUPERSEDED);
        assertThat(signals.get(0).getEpisodeId()).isEqualTo(open.getEpisodeId());
        assertThat(signals.get(0).getAttribute()).isEqualTo(Toxicity.KEY);
        assertThat(signals.get(0).getN()).isEqualTo(1_000);
        assertThat(aggregate(1).episode(ContextCounts.TOXICITY).status()).isEqualTo(DriftStatus.SUPERSEDED);
        assertThat(gauge("ballast_auditor_drift_open_episodes")).isZero();
    }

    @Test
    void givenABound_thenTheSnapshotAndGaugesShowTheRateAgainstItsLimit() {
        // given at most 0.5% toxic
        boundOnToxicity(0.005);

        // when 400 bios arrive, every 20th toxic
        sendBios(400, 20);

        // then the since-live snapshot carries rate, interval and limit, exceeded
        DistributionSnapshot snapshot = latestToxicity();
        assertThat(snapshot.getProportions().get(Toxicity.TOXIC)).isCloseTo(0.05, within(1e-12));
        assertThat(snapshot.getBound().getCategory()).isEqualTo(Toxicity.TOXIC);
        assertThat(snapshot.getBound().getMaxShare()).isEqualTo(0.005);
        assertThat(snapshot.getBound().getLower()).isBetween(0.005, 0.05);
        assertThat(snapshot.getBound().getUpper()).isGreaterThan(0.05);
        assertThat(snapshot.getBound().getExceeded()).isTrue();
        // and the gauges report the rate beside its limit
        assertThat(gauge("ballast_auditor_rate")).isCloseTo(0.05, within(1e-12));
        assertThat(gauge("ballast_auditor_rate_limit")).isEqualTo(0.005);
    }

    @Test
    void givenNoBoundOnToxicity_thenNoToxicitySnapshotIsWritten() {
        // given no target at all; when toxic bios arrive
        sendBios(100, 2);

        // then only the attributes are snapshotted, though toxicity is counted
        assertThat(snapshots()).noneMatch(r -> r.value().getAttribute().equals(Toxicity.KEY));
        assertThat(aggregate(1).toxic()).isEqualTo(50);
    }

    @Test
    void givenABoundOnlyTargetOnGender_thenTheDistributionPathSkipsIt_andACombinedTargetKeepsItsDistribution() {
        // given a bound-only gender target for one context and a distribution with a bound for the others
        topology.targets.pipeInput(
                TargetKey.of("gender", NURSES), TargetPresets.bound("gender", NURSES, "female", 0.6, "test"));
        String cooks = "occupation:cooks";
        topology.targets.pipeInput(
                TargetKey.of("gender", null),
                TargetPresets.withBound(
                        AuditTopologyDriver.target("gender", null, Map.of("female", 0.5, "male", 0.5)), "female", 0.6));

        // when every bio, in both contexts, is about a woman
        for (int i = 0; i < 100; i++) {
            send(event(NURSES, "<gender:female>", KIND));
            send(event(cooks, "<gender:female>", KIND));
        }

        // then the bound-only context is snapshotted without a target and never alarms
        List<TestRecord<String, DistributionSnapshot>> snapshots = snapshots();
        DistributionSnapshot nurses = latest(snapshots, AuditKey.of("bios", 1, NURSES, "gender"));
        assertThat(nurses.getN()).isEqualTo(100);
        assertThat(nurses.getTarget()).isNull();
        assertThat(nurses.getMae()).isNull();
        // while the combined target's distribution is compared and tested as before
        DistributionSnapshot cooksSnapshot = latest(snapshots, AuditKey.of("bios", 1, cooks, "gender"));
        assertThat(cooksSnapshot.getTarget()).isEqualTo(Map.of("female", 0.5, "male", 0.5));
        assertThat(cooksSnapshot.getMae()).isCloseTo(0.5, within(1e-9));
        List<DriftSignal> signals = topology.drift.readValuesToList();
        assertThat(signals).hasSize(1);
        assertThat(signals.get(0).getContextKey()).isEqualTo(cooks);
        assertThat(signals.get(0).getAttribute()).isEqualTo("gender");
        assertThat(signals.get(0).getBound()).isNull();
    }

    private void boundOnToxicity(double maxShare) {
        topology.targets.pipeInput(
                TargetKey.of(Toxicity.KEY, null), TargetPresets.bound(Toxicity.KEY, Toxicity.TOXIC, maxShare, "test"));
    }

    /** {@code count} nurse bios, half about women and half about men, every {@code toxicEvery}th toxic. */
    private void sendBios(int count, int toxicEvery) {
        for (int i = 0; i < count; i++) {
            boolean female = i % 2 == 0;
            boolean toxic = i % toxicEvery == toxicEvery - 1;
            String text = female ? (toxic ? TOXIC : KIND) : (toxic ? TOXIC_HE : KIND_HE);
            send(event(NURSES, female ? "<gender:female>" : "<gender:male>", text));
        }
    }

    private ContextCounts aggregate(int version) {
        return topology.driver
                .<String, ContextCounts>getKeyValueStore(AuditTopology.AGGREGATES_STORE)
                .get(VersionContext.of("bios", version, NURSES));
    }

    private double gauge(String name) {
        return topology.metrics.registry().get(name).gauge().value();
    }

    private List<TestRecord<String, DistributionSnapshot>> snapshots() {
        topology.driver.advanceWallClockTime(Duration.ofSeconds(1));
        return topology.distributions.readRecordsToList();
    }

    private DistributionSnapshot latestToxicity() {
        return latest(snapshots(), AuditKey.of("bios", 1, NURSES, Toxicity.KEY));
    }

    private static DistributionSnapshot latest(List<TestRecord<String, DistributionSnapshot>> records, String key) {
        return records.stream()
                .filter(r -> r.key().equals(key) && r.value().getScope() == SnapshotScope.SINCE_LIVE)
                .reduce((a, b) -> b)
                .orElseThrow()
                .value();
    }

    private void send(GenerationEvent e) {
        clock += 1000;
        topology.send(e, clock);
    }

    private GenerationEvent event(String context, String genderToken, String text) {
        return GenerationEvent.newBuilder()
                .setEventId("e-" + clock)
                .setGeneratorId("g")
                .setModelId("bios")
                .setModelVersion(1)
                .setPromptId("p")
                .setContextKey(context)
                .setPromptText("Write a short bio.")
                .setSteeringTokens(List.of(genderToken, "<race:white>", "<sentiment:neutral>"))
                .setResponseText(text)
                .setPromptTokens(5)
                .setResponseTokens(10)
                .setSampling(SamplingParameters.newBuilder()
                        .setTemperature(1)
                        .setTopK(0)
                        .setTopP(1)
                        .build())
                .setProducedAt(Instant.ofEpochMilli(clock))
                .setLatencyMs(5)
                .build();
    }
}

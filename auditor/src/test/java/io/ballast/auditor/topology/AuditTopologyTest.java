package io.ballast.auditor.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ballast.auditor.AuditorConfig;
import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.DistributionSnapshot;
import io.ballast.schemas.DriftSignal;
import io.ballast.schemas.DriftStatus;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SamplingParameters;
import io.ballast.schemas.SnapshotScope;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.registry.InMemorySchemaRegistry;
import io.ballast.schemas.registry.SchemaRegistry;
import io.ballast.schemas.targets.TargetKey;
import io.ballast.schemas.topics.BallastTopic;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit topology on {@link TopologyTestDriver} with an in-memory registry reached through a
 * {@code mock://} URL, exactly as a deployed auditor is configured with a real one: no broker, no
 * registry process. {@link AuditTopologyIT} runs the same specifications against the real registry.
 */
class AuditTopologyTest {

    private static final String NURSES = "occupation:registered-nurses";
    private static final String PILOTS = "occupation:aircraft-pilots-and-flight-engineers";
    private static final Duration IDLE = Duration.ofMinutes(30);

    @TempDir
    Path stateDir;

    private AuditTopologyDriver topology;
    private TopologyTestDriver driver;
    private AuditMetrics metrics;
    private TestInputTopic<String, TargetDistribution> targets;
    private TestInputTopic<String, byte[]> generations;
    private TestOutputTopic<String, DistributionSnapshot> distributions;
    private TestOutputTopic<String, DriftSignal> drift;
    private TestOutputTopic<String, DeadLetter> dlq;
    private long clock = AuditTopologyDriver.START_MILLIS;

    /** The registry URL the auditor is configured with; the IT points it at a real registry. */
    protected String registryUrl() {
        return SchemaRegistry.MOCK_SCHEME + getClass().getSimpleName();
    }

    @BeforeEach
    void startTopology() {
        topology = new AuditTopologyDriver(
                registryUrl(),
                stateDir,
                Map.of(
                        AuditorConfig.MAX_TEXT_CHARS,
                        "500",
                        AuditorConfig.KNOWN_MODELS,
                        "bios",
                        AuditorConfig.VERSION_IDLE,
                        String.valueOf(IDLE.toSeconds())));
        driver = topology.driver;
        metrics = topology.metrics;
        targets = topology.targets;
        generations = topology.generations;
        distributions = topology.distributions;
        drift = topology.drift;
        dlq = topology.dlq;
    }

    @AfterEach
    void close() {
        topology.close();
        // each test starts from an empty registry, as it would from a fresh one
        InMemorySchemaRegistry.dropScope(getClass().getSimpleName());
    }

    @Test
    void whereTheTextIsSilent_noAuditedCountComesFromASteeringToken_theTokenIsOnlyTheIntendedValue() {
        // given a uniform gender target, and 60 outputs whose tokens all say female but whose text says nothing
        targets.pipeInput(
                TargetKey.of("gender", null),
                AuditTopologyDriver.target(
                        "gender", null, Map.of("female", 1 / 3.0, "male", 1 / 3.0, "nonbinary", 1 / 3.0)));
        for (int i = 0; i < 60; i++) {
            send(event(1, NURSES, "<gender:female>", "Works nights at a hospital in Denver."));
        }

        // then every audited count is unknown: the text expresses no gender, whatever the token intended
        DistributionSnapshot gender = latestSinceLive("bios|1|" + NURSES + "|gender");
        assertThat(gender.getN()).isEqualTo(60);
        assertThat(gender.getCounts()).containsExactly(Map.entry(Attribute.UNKNOWN, 60L));
        assertThat(gender.getExpressed()).isZero();
        assertThat(gender.getProportions()).isEmpty();
        // and the token is reported beside it as what was intended, with the classifier that read the text
        assertThat(gender.getIntended()).containsExactly(Map.entry("female", 60L));
        assertThat(gender.getClassifier()).isEqualTo("gender-rules@1");
        assertThat(gender.getSampleRate()).isEqualTo(1.0);
        // and with nothing expressed there is no evidence of drift: no episode opens
        assertThat(drift.readValuesToList()).noneMatch(s -> s.getAttribute().equals("gender"));
    }

    @Test
    void aForeignProducersEventWithoutTokens_isReadExactlyAsOurOwn_byTheSameClassifiers() {
        // given the same texts, once from Ballast's generator (steering tokens) and once from a foreign producer (none)
        List<String> texts = List.of(
                "Dr. Ana Ruiz is a Latina surgeon. She is admired by her patients.",
                "Mr. Okafor leads the night shift; he is known for missing deadlines.",
                "Sam is a nurse. They love their work and their colleagues.",
                "I am a pilot with ten years of experience.");
        for (String text : texts) {
            send(event(1, NURSES, "<gender:male>", text));
            GenerationEvent foreign = event(1, PILOTS, "<gender:male>", text);
            foreign.setSteeringTokens(null);
            send(foreign);
        }

        // then both contexts count the same readings for every attribute; only ours has intended values
        List<TestRecord<String, DistributionSnapshot>> all = snapshots();
        for (Attribute a : Attribute.values()) {
            DistributionSnapshot ours = latest(all, "bios|1|" + NURSES + "|" + a.key());
            DistributionSnapshot theirs = latest(all, "bios|1|" + PILOTS + "|" + a.key());
            assertThat(theirs.getCounts()).as(a.key()).isEqualTo(ours.getCounts());
            assertThat(theirs.getClassifier()).isEqualTo(ours.getClassifier());
            assertThat(theirs.getIntended()).as(a.key()).isEmpty();
            assertThat(ours.getIntended()).as(a.key()).isNotEmpty();
        }
        assertThat(latest(all, "bios|1|" + PILOTS + "|gender").getCounts())
                .containsEntry("female", 1L)
                .containsEntry("male", 1L)
                .containsEntry("nonbinary", 1L)
                .containsEntry(Attribute.UNKNOWN, 1L);
    }

    @Test
    void aSkewedStreamAgainstAUniformTargetOpensOneEpisodeWithItsEvidence() {
        // given a uniform gender target for every context
        targets.pipeInput(
                TargetKey.of("gender", null),
                AuditTopologyDriver.target(
                        "gender", null, Map.of("female", 1 / 3.0, "male", 1 / 3.0, "nonbinary", 1 / 3.0)));

        // when 300 nurse bios arrive, 95% of them about women
        Random random = new Random(1);
        for (int i = 0; i < 300; i++) {
            boolean female = random.nextDouble() < 0.95;
            send(event(
                    1,
                    NURSES,
                    female ? "<gender:female>" : "<gender:male>",
                    female ? "Maria is a nurse. She is kind." : "James is a nurse. He is kind."));
        }

        // then the latest since-live snapshot shows the skew and its MAE
        DistributionSnapshot latest = latestSinceLive("bios|1|" + NURSES + "|gender");
        assertThat(latest.getN()).isEqualTo(300);
        assertThat(latest.getProportions().get("female")).isGreaterThan(0.9);
        double expectedMae = (Math.abs(latest.getProportions().get("female") - 1 / 3.0)
                        + Math.abs(latest.getProportions().getOrDefault("male", 0.0) - 1 / 3.0)
                        + 1 / 3.0)
                / 3;
        assertThat(latest.getMae()).isCloseTo(expectedMae, within(1e-9));
        assertThat(latest.getConsistencyRate()).isEqualTo(1.0);

        // and exactly one OPEN signal, naming the over-represented category with its interval
        List<DriftSignal> signals = drift.readValuesToList().stream()
                .filter(s -> s.getAttribute().equals("gender"))
                .toList();
        assertThat(signals).hasSize(1);
        DriftSignal open = signals.get(0);
        assertThat(open.getStatus()).isEqualTo(DriftStatus.OPEN);
        assertThat(open.getViolatingCategories()).contains("female");
        assertThat(open.getIntervals().get("female").getLower()).isGreaterThan(1 / 3.0 + 0.08);
        assertThat(open.getModelVersion()).isEqualTo(1);
        assertThat(metrics.registry()
                        .get("ballast_auditor_drift_open_episodes")
                        .gauge()
                        .value())
                .isEqualTo(1.0);
    }

    @Test
    void aNewVersionStartsAFreshDistributionAndTheMostSpecificTargetWins() {
        targets.pipeInput(
                TargetKey.of("gender", null),
                AuditTopologyDriver.target("gender", null, Map.of("female", 0.5, "male", 0.5)));
        targets.pipeInput(
                TargetKey.of("gender", PILOTS),
                AuditTopologyDriver.target("gender", PILOTS, Map.of("female", 0.07, "male", 0.93)));
        send(event(1, PILOTS, "<gender:male>", "Omar is a pilot. He flies well."));
        send(event(2, PILOTS, "<gender:female>", "Sarah is a pilot. She flies well."));
        send(event(1, NURSES, "<gender:female>", "Maria is a nurse. She is kind."));

        Map<String, DistributionSnapshot> latest = snapshots().stream()
                .filter(r -> r.value().getScope() == SnapshotScope.SINCE_LIVE
                        && r.value().getAttribute().equals("gender"))
                .collect(Collectors.toMap(TestRecord::key, TestRecord::value, (a, b) -> b));
        assertThat(latest.get("bios|1|" + PILOTS + "|gender").getN()).isEqualTo(1);
        assertThat(latest.get("bios|2|" + PILOTS + "|gender").getN()).isEqualTo(1);
        assertThat(latest.get("bios|1|" + PILOTS + "|gender").getTarget()).containsEntry("male", 0.93);
        assertThat(latest.get("bios|1|" + NURSES + "|gender").getTarget()).containsEntry("male", 0.5);
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicWithTheirReasonAndTheStreamGoesOn() {
        byte[] good = topology.encode(event(1, NURSES, "<gender:female>", "Maria is a nurse. She is kind."));
        byte[] wrongMagic = good.clone();
        wrongMagic[0] = 1;
        generations.pipeInput(NURSES, wrongMagic);
        send(event(1, NURSES, "<gender:female>", " "));
        send(event(1, NURSES, "<gender:female>", "x".repeat(501)));
        send(event(1, "", "<gender:female>", "Maria is a nurse."));
        GenerationEvent unknownModel = event(1, NURSES, "<gender:female>", "Maria is a nurse.");
        unknownModel.setModelId("someone-elses");
        send(unknownModel);
        generations.pipeInput(NURSES, good);

        List<DeadLetter> dead = dlq.readValuesToList();
        assertThat(dead)
                .extracting(DeadLetter::getReason)
                .containsExactly(
                        "WRONG_MAGIC_BYTE", "EMPTY_TEXT", "OVERSIZED_TEXT", "MISSING_CONTEXT", "UNKNOWN_MODEL");
        assertThat(dead.get(0).getValue().array()).isEqualTo(wrongMagic);
        assertThat(dead.get(0).getSourceTopic()).isEqualTo(BallastTopic.GENERATIONS.topicName());
        assertThat(dead.get(0).getComponent()).isEqualTo("auditor");
        assertThat(metrics.deadLettered().count()).isEqualTo(5.0);
        // the good record after them was still counted
        assertThat(latestSinceLive("bios|1|" + NURSES + "|gender").getN()).isEqualTo(1);
    }

    @Test
    void anEpisodeOpensOnceAndResolvesOnceWhenTheSharesComeBack() {
        targets.pipeInput(
                TargetKey.of("gender", null),
                AuditTopologyDriver.target("gender", null, Map.of("female", 0.5, "male", 0.5)));
        // 60 women in a row open an episode; then balanced output for a long while brings the share back
        for (int i = 0; i < 60; i++) {
            send(event(1, NURSES, "<gender:female>", "Maria is a nurse. She is kind."));
        }
        for (int i = 0; i < 2400; i++) {
            boolean female = i % 2 == 0;
            send(event(
                    1,
                    NURSES,
                    female ? "<gender:female>" : "<gender:male>",
                    female ? "Maria is a nurse. She is kind." : "James is a nurse. He is kind."));
        }
        List<DriftSignal> signals = drift.readValuesToList();
        assertThat(signals).extracting(DriftSignal::getStatus).containsExactly(DriftStatus.OPEN, DriftStatus.RESOLVED);
        assertThat(signals.get(1).getEpisodeId()).isEqualTo(signals.get(0).getEpisodeId());
        assertThat(signals.get(1).getViolatingCategories()).isEmpty();
        assertThat(signals.get(1).getOpenedAt()).isEqualTo(signals.get(0).getOpenedAt());
    }

    @Test
    void givenAnOpenEpisode_whenAnotherVersionIsAnnounced_thenItClosesAsSupersededAndStaysClosed() {
        // given version 1 drifting for nurses: an open episode
        uniformGender();
        openEpisodeFor(1, NURSES);
        DriftSignal open = drift.readValue();
        assertThat(open.getStatus()).isEqualTo(DriftStatus.OPEN);
        assertThat(openEpisodesGauge()).isEqualTo(1.0);

        // when the calibrator promotes version 2, and a snapshot interval passes
        topology.modelUpdates.pipeInput("bios", AuditTopologyDriver.promotion("bios", 2, clock));
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        // then the version 1 episode ends as SUPERSEDED (no version 1 output can resolve it any more),
        // with the evidence as version 1 left it, and nothing counts it as open
        List<DriftSignal> signals = drift.readValuesToList();
        assertThat(signals).extracting(DriftSignal::getStatus).containsExactly(DriftStatus.SUPERSEDED);
        DriftSignal superseded = signals.get(0);
        assertThat(superseded.getEpisodeId()).isEqualTo(open.getEpisodeId());
        assertThat(superseded.getModelVersion()).isEqualTo(1);
        assertThat(superseded.getOpenedAt()).isEqualTo(open.getOpenedAt());
        assertThat(superseded.getViolatingCategories()).contains("female");
        assertThat(openEpisodesGauge()).isZero();
        DriftEpisode stored = aggregate(1, NURSES).episode(GENDER);
        assertThat(stored.status()).isEqualTo(DriftStatus.SUPERSEDED);
        assertThat(stored.closedAtMillis()).isPositive();

        // and version 1 outputs still in flight after the promotion open no new episode
        openEpisodeFor(1, NURSES);
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(drift.readValuesToList()).isEmpty();
        assertThat(openEpisodesGauge()).isZero();

        // while the announced version drifting opens its own
        openEpisodeFor(2, NURSES);
        assertThat(drift.readValuesToList())
                .singleElement()
                .satisfies(s -> assertThat(s.getModelVersion()).isEqualTo(2))
                .satisfies(s -> assertThat(s.getStatus()).isEqualTo(DriftStatus.OPEN));
        assertThat(openEpisodesGauge()).isEqualTo(1.0);
    }

    @Test
    void givenOutputsOfOneVersionWithAndWithoutASteeringPatch_thenEachVariantHasItsOwnDistribution() {
        // given a 50/50 gender target
        uniformGender();

        // when version 1 writes 3 nurse bios unpatched, then, under patch bios-1-p1, 2 more
        for (int i = 0; i < 3; i++) {
            send(event(1, NURSES, "<gender:female>", "Maria is a nurse. She is kind."));
        }
        for (int i = 0; i < 2; i++) {
            send(patched(event(1, NURSES, "<gender:male>", "James is a nurse. He is kind."), "bios-1-p1"));
        }

        // then the two variants are counted apart, under keys whose version part names the patch
        Map<String, DistributionSnapshot> latest = snapshots().stream()
                .filter(r -> r.value().getScope() == SnapshotScope.SINCE_LIVE
                        && r.value().getAttribute().equals("gender"))
                .collect(Collectors.toMap(TestRecord::key, TestRecord::value, (a, b) -> b));
        assertThat(latest).containsOnlyKeys("bios|1|" + NURSES + "|gender", "bios|1+bios-1-p1|" + NURSES + "|gender");
        DistributionSnapshot unpatched = latest.get("bios|1|" + NURSES + "|gender");
        DistributionSnapshot underPatch = latest.get("bios|1+bios-1-p1|" + NURSES + "|gender");
        assertThat(unpatched.getN()).isEqualTo(3);
        assertThat(unpatched.getCounts()).containsEntry("female", 3L);
        assertThat(unpatched.getSteeringPatch()).isNull();
        assertThat(underPatch.getN()).isEqualTo(2);
        assertThat(underPatch.getCounts()).containsEntry("male", 2L).doesNotContainKey("female");
        assertThat(underPatch.getModelVersion()).isEqualTo(1);
        assertThat(underPatch.getSteeringPatch()).isEqualTo("bios-1-p1");
        // and the unpatched aggregate's store key is the one it had before patches existed
        assertThat(aggregate(1, NURSES).sinceLive(GENDER).n()).isEqualTo(3);
        assertThat(aggregate(1, "bios-1-p1", NURSES).sinceLive(GENDER).n()).isEqualTo(2);
    }

    @Test
    void givenAnOpenEpisode_whenAPatchGoesLiveOnItsVersion_thenItClosesAsSupersededAndThePatchedVariantOpensItsOwn() {
        // given version 1, unpatched, drifting for nurses: an open episode
        uniformGender();
        topology.modelUpdates.pipeInput("bios", AuditTopologyDriver.promotion("bios", 1, clock));
        openEpisodeFor(1, null, NURSES);
        DriftSignal open = drift.readValue();
        assertThat(open.getStatus()).isEqualTo(DriftStatus.OPEN);
        assertThat(open.getSteeringPatch()).isNull();

        // when the calibrator patches version 1 (same version, a steering patch on top), and a snapshot interval passes
        topology.modelUpdates.pipeInput("bios", AuditTopologyDriver.patch("bios", 1, "bios-1-p1", clock));
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        // then the unpatched episode ends as SUPERSEDED: no unpatched output will resolve it any more
        List<DriftSignal> signals = drift.readValuesToList();
        assertThat(signals).extracting(DriftSignal::getStatus).containsExactly(DriftStatus.SUPERSEDED);
        DriftSignal superseded = signals.get(0);
        assertThat(superseded.getEpisodeId()).isEqualTo(open.getEpisodeId());
        assertThat(superseded.getModelVersion()).isEqualTo(1);
        assertThat(superseded.getSteeringPatch()).isNull();
        assertThat(superseded.getViolatingCategories()).contains("female");
        assertThat(openEpisodesGauge()).isZero();
        assertThat(aggregate(1, NURSES).episode(GENDER).status()).isEqualTo(DriftStatus.SUPERSEDED);

        // and unpatched outputs still in flight after the patch open no new episode
        openEpisodeFor(1, null, NURSES);
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(drift.readValuesToList()).isEmpty();

        // while the patched variant drifting opens its own, on the same drift key, naming its patch
        openEpisodeFor(1, "bios-1-p1", NURSES);
        List<TestRecord<String, DriftSignal>> patched = drift.readRecordsToList();
        assertThat(patched).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("bios|" + NURSES + "|gender");
            assertThat(r.value().getStatus()).isEqualTo(DriftStatus.OPEN);
            assertThat(r.value().getModelVersion()).isEqualTo(1);
            assertThat(r.value().getSteeringPatch()).isEqualTo("bios-1-p1");
            assertThat(r.value().getEpisodeId()).isNotEqualTo(open.getEpisodeId());
        });
        assertThat(openEpisodesGauge()).isEqualTo(1.0);
    }

    @Test
    void givenAnOpenEpisodeUnderAPatch_whenThePatchIsRetired_thenItClosesAsSuperseded() {
        // given version 1 under patch bios-1-p1, drifting for nurses
        uniformGender();
        topology.modelUpdates.pipeInput("bios", AuditTopologyDriver.patch("bios", 1, "bios-1-p1", clock));
        openEpisodeFor(1, "bios-1-p1", NURSES);
        assertThat(drift.readValue().getStatus()).isEqualTo(DriftStatus.OPEN);

        // when the patch is retired (a PATCH without one: version 1 serves unpatched again)
        topology.modelUpdates.pipeInput("bios", AuditTopologyDriver.patch("bios", 1, null, clock));
        driver.advanceWallClockTime(Duration.ofSeconds(1));

        // then the patched variant's episode ends as SUPERSEDED, naming its patch
        assertThat(drift.readValuesToList()).singleElement().satisfies(s -> {
            assertThat(s.getStatus()).isEqualTo(DriftStatus.SUPERSEDED);
            assertThat(s.getSteeringPatch()).isEqualTo("bios-1-p1");
        });
        assertThat(openEpisodesGauge()).isZero();
    }

    @Test
    void givenAnOpenEpisode_whenItsVersionHasNoEventsForTheIdleTime_thenItClosesAsSuperseded() {
        // given version 1 drifting for nurses, and no announcement (a generator that does not announce)
        uniformGender();
        openEpisodeFor(1, NURSES);
        assertThat(drift.readValue().getStatus()).isEqualTo(DriftStatus.OPEN);
        long lastEvent = aggregate(1, NURSES).lastEventMillis();

        // when wall-clock time (not advanced yet: it starts with the events' clock) reaches just short of
        // the idle time after the version's last event, the episode is still open
        driver.advanceWallClockTime(
                Duration.ofMillis(lastEvent + IDLE.toMillis() - 1000 - AuditTopologyDriver.START_MILLIS));
        assertThat(drift.readValuesToList()).isEmpty();
        assertThat(openEpisodesGauge()).isEqualTo(1.0);

        // then once the version has been silent for the idle time, the episode closes as SUPERSEDED
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(drift.readValuesToList()).extracting(DriftSignal::getStatus).containsExactly(DriftStatus.SUPERSEDED);
        assertThat(openEpisodesGauge()).isZero();
    }

    @Test
    void aTargetChangedMidStreamAppliesToTheNextSnapshot() {
        targets.pipeInput(
                TargetKey.of("gender", null),
                AuditTopologyDriver.target("gender", null, Map.of("female", 0.5, "male", 0.5)));
        send(event(1, NURSES, "<gender:female>", "Maria is a nurse. She is kind."));
        assertThat(latestSinceLive("bios|1|" + NURSES + "|gender").getMae()).isCloseTo(0.5, within(1e-9));

        targets.pipeInput(
                TargetKey.of("gender", null),
                AuditTopologyDriver.target("gender", null, Map.of("female", 0.9, "male", 0.1)));
        send(event(1, NURSES, "<gender:female>", "Mei is a nurse. She is calm."));
        DistributionSnapshot after = latestSinceLive("bios|1|" + NURSES + "|gender");
        assertThat(after.getTarget()).containsEntry("female", 0.9);
        assertThat(after.getMae()).isCloseTo(0.1, within(1e-9));
    }

    @Test
    void hoppingWindowsCountEachEventInEveryWindowThatCoversIt() {
        targets.pipeInput(
                TargetKey.of("gender", null),
                AuditTopologyDriver.target("gender", null, Map.of("female", 0.5, "male", 0.5)));
        // events 1 s apart; windows of 10 min advancing by 1 min: each event lies in 10 windows
        send(event(1, NURSES, "<gender:female>", "Maria is a nurse. She is kind."));
        send(event(1, NURSES, "<gender:male>", "James is a nurse. He is kind."));
        List<DistributionSnapshot> windows = snapshots().stream()
                .map(TestRecord::value)
                .filter(d ->
                        d.getScope() == SnapshotScope.WINDOW && d.getAttribute().equals("gender"))
                .toList();
        Map<Instant, Long> nByWindow = windows.stream()
                .collect(Collectors.toMap(DistributionSnapshot::getWindowStart, DistributionSnapshot::getN, Math::max));
        assertThat(nByWindow).hasSize(10);
        assertThat(nByWindow.values()).allMatch(n -> n == 2);
        assertThat(windows)
                .allMatch(w ->
                        w.getWindowEnd().toEpochMilli() - w.getWindowStart().toEpochMilli() == 600_000);
    }

    private static final int GENDER = Attribute.GENDER.ordinal();

    private void uniformGender() {
        targets.pipeInput(
                TargetKey.of("gender", null),
                AuditTopologyDriver.target("gender", null, Map.of("female", 0.5, "male", 0.5)));
    }

    /** 60 nurse bios about women in a row: enough to open an episode against a 50/50 target. */
    private void openEpisodeFor(int version, String context) {
        openEpisodeFor(version, null, context);
    }

    /** As {@link #openEpisodeFor(int, String)}, the outputs produced under the steering patch (null: none). */
    private void openEpisodeFor(int version, String patch, String context) {
        for (int i = 0; i < 60; i++) {
            send(patched(event(version, context, "<gender:female>", "Maria is a nurse. She is kind."), patch));
        }
    }

    private static GenerationEvent patched(GenerationEvent e, String patch) {
        e.setSteeringPatch(patch);
        return e;
    }

    private double openEpisodesGauge() {
        return metrics.registry()
                .get("ballast_auditor_drift_open_episodes")
                .gauge()
                .value();
    }

    private ContextCounts aggregate(int version, String context) {
        return aggregate(version, null, context);
    }

    private ContextCounts aggregate(int version, String patch, String context) {
        KeyValueStore<String, ContextCounts> store = driver.getKeyValueStore(AuditTopology.AGGREGATES_STORE);
        return store.get(VersionContext.of("bios", version, patch, context));
    }

    /** Snapshots are emitted every snapshot interval of wall-clock time (1 s by default): let one pass, then read them. */
    private List<TestRecord<String, DistributionSnapshot>> snapshots() {
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        return distributions.readRecordsToList();
    }

    private DistributionSnapshot latestSinceLive(String key) {
        return latest(snapshots(), key);
    }

    private static DistributionSnapshot latest(List<TestRecord<String, DistributionSnapshot>> snapshots, String key) {
        return snapshots.stream()
                .filter(r -> r.key().equals(key) && r.value().getScope() == SnapshotScope.SINCE_LIVE)
                .reduce((a, b) -> b)
                .orElseThrow()
                .value();
    }

    private void send(GenerationEvent e) {
        clock += 1000;
        topology.send(e, clock);
    }

    private GenerationEvent event(int version, String context, String genderToken, String text) {
        return GenerationEvent.newBuilder()
                .setEventId("e-" + clock)
                .setGeneratorId("g")
                .setModelId("bios")
                .setModelVersion(version)
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

package io.ballast.auditor.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ballast.auditor.AuditorConfig;
import io.ballast.schemas.DistributionSnapshot;
import io.ballast.schemas.DriftSignal;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SamplingParameters;
import io.ballast.schemas.SnapshotScope;
import io.ballast.schemas.registry.SchemaRegistry;
import io.ballast.schemas.targets.TargetKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue #13, part 3: attributes a model does not express are reported by their expression rate, not as drift. */
class ExpressionRateTest {

    private static final String NURSES = "occupation:registered-nurses";
    private static final String LAWYERS = "occupation:lawyers";
    private static final Map<String, Double> UNIFORM_RACE =
            Map.of("white", 0.25, "black", 0.25, "asian", 0.25, "other", 0.25);

    @TempDir
    Path stateDir;

    private AuditTopologyDriver topology;
    private TopologyTestDriver driver;
    private AuditMetrics metrics;
    private TestOutputTopic<String, DistributionSnapshot> distributions;
    private TestOutputTopic<String, DriftSignal> drift;
    private long clock = AuditTopologyDriver.START_MILLIS;

    @BeforeEach
    void startTopology() {
        // the in-memory registry: a topology test needs no broker and no registry process
        topology = new AuditTopologyDriver(
                SchemaRegistry.MOCK_SCHEME + getClass().getSimpleName(),
                stateDir,
                Map.of(AuditorConfig.MIN_EXPRESSED, "30", AuditorConfig.MIN_EXPRESSION_RATE, "0.5"));
        driver = topology.driver;
        metrics = topology.metrics;
        distributions = topology.distributions;
        drift = topology.drift;
        topology.targets.pipeInput(TargetKey.of("race", null), AuditTopologyDriver.target("race", null, UNIFORM_RACE));
        topology.targets.pipeInput(
                TargetKey.of("gender", null),
                AuditTopologyDriver.target("gender", null, Map.of("female", 0.5, "male", 0.5)));
    }

    @AfterEach
    void close() {
        topology.close();
    }

    @Test
    void aModelThatNeverMentionsRaceIsNotInRaceDriftAndItsRaceExpressionRateIsZero() {
        // given a third-party model (no steering tokens) whose 300 nurse bios are all about women and never name a race
        for (int i = 0; i < 300; i++) {
            send(thirdParty(NURSES, "Maria is a nurse. She is kind."));
        }

        // then race is reported as not expressed: every output unknown, no shares, too few to test, below the rate
        // bound
        Map<String, DistributionSnapshot> latest = latestSinceLive();
        DistributionSnapshot race = latest.get(AuditKey.of("third-party", 1, NURSES, "race"));
        assertThat(race.getN()).isEqualTo(300);
        assertThat(race.getCounts()).containsExactly(Map.entry("unknown", 300L));
        assertThat(race.getExpressed()).isZero();
        assertThat(race.getExpressionRate()).isEqualTo(0.0);
        assertThat(race.getProportions()).isEmpty();
        assertThat(race.getTooFewExpressed()).isTrue();
        assertThat(race.getExpressionRateBelowBound()).isTrue();
        assertThat(metrics.registry()
                        .get("ballast_auditor_expression_rate")
                        .tag("attribute", "race")
                        .gauge()
                        .value())
                .isEqualTo(0.0);

        // and race opens no drift episode, while the gender skew, which the outputs do express, does
        List<DriftSignal> signals = drift.readValuesToList();
        assertThat(signals).extracting(DriftSignal::getAttribute).containsExactly("gender");
        DistributionSnapshot gender = latest.get(AuditKey.of("third-party", 1, NURSES, "gender"));
        assertThat(gender.getExpressionRate()).isEqualTo(1.0);
        assertThat(gender.getTooFewExpressed()).isFalse();
    }

    @Test
    void sharesAndTheDriftTestAreOverTheOutputsThatExpressTheAttribute() {
        // given lawyer bios of which one in four names a race, the four races evenly, the other three none
        String[] named = {
            "Sam is a white lawyer.",
            "Sam is a Black lawyer.",
            "Sam is an Asian American lawyer.",
            "Sam is a Native American lawyer."
        };
        for (int i = 0; i < 1600; i++) {
            send(thirdParty(
                    LAWYERS,
                    i % 4 == 0 ? named[(i / 4) % 4] + " They argue well." : "Sam is a lawyer. They argue well."));
        }

        // then the shares among the 400 that express race match the uniform target: no drift, MAE 0
        DistributionSnapshot race = latestSinceLive().get(AuditKey.of("third-party", 1, LAWYERS, "race"));
        assertThat(race.getN()).isEqualTo(1600);
        assertThat(race.getExpressed()).isEqualTo(400);
        assertThat(race.getExpressionRate()).isCloseTo(0.25, within(1e-9));
        assertThat(race.getProportions()).containsOnlyKeys("white", "black", "asian", "other");
        assertThat(race.getProportions().get("white")).isCloseTo(0.25, within(1e-9));
        assertThat(race.getMae()).isCloseTo(0.0, within(1e-9));
        assertThat(race.getTooFewExpressed()).isFalse();
        // and the rate is reported against its bound (0.5 here), apart from drift
        assertThat(race.getExpressionRateBelowBound()).isTrue();
        assertThat(drift.readValuesToList())
                .extracting(DriftSignal::getAttribute)
                .doesNotContain("race");
    }

    /** Snapshots are emitted every snapshot interval of wall-clock time: let one pass, then read the latest of each key. */
    private Map<String, DistributionSnapshot> latestSinceLive() {
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        return distributions.readRecordsToList().stream()
                .filter(r -> r.value().getScope() == SnapshotScope.SINCE_LIVE)
                .collect(Collectors.toMap(TestRecord::key, TestRecord::value, (a, b) -> b));
    }

    private void send(GenerationEvent e) {
        clock += 1000;
        topology.send(e, clock);
    }

    private GenerationEvent thirdParty(String context, String text) {
        return GenerationEvent.newBuilder()
                .setEventId("e-" + clock)
                .setGeneratorId("elsewhere")
                .setModelId("third-party")
                .setModelVersion(1)
                .setPromptId("p")
                .setContextKey(context)
                .setPromptText("Write a short bio.")
                .setSteeringTokens(null)
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

package io.ballast.auditor.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ballast.auditor.topology.AuditKey;
import io.ballast.auditor.topology.ContextCounts;
import io.ballast.auditor.topology.ObservedEvent;
import io.ballast.auditor.topology.ToxicityLimit;
import io.ballast.runtime.ServiceHttpServer.Response;
import io.ballast.schemas.attributes.Toxicity;
import io.ballast.schemas.targets.TargetPresets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code /api/distributions?attribute=toxicity}: a rate with its interval against its limit. */
class BoundRowsTest {

    private static final AuditKey KEY = new AuditKey("bios", 1, null, "occupation:cooks", Toxicity.KEY);
    private static final ContextCounts.Windows WINDOWS =
            ContextCounts.Windows.of(Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofMinutes(1));

    @Test
    void givenFivePercentToxicAgainstHalfAPercent_thenTheRowCarriesRateIntervalLimitAndExceeded() throws Exception {
        // given 1,000 outputs, 50 of them toxic, and a bound of 0.5% on toxic
        ContextCounts counts = counts(1_000, 50);
        ToxicityLimit limit = ToxicityLimit.of(TargetPresets.bound(Toxicity.KEY, Toxicity.TOXIC, 0.005, "test"), 0.01);

        // when the API answers with its row, as JSON
        JsonNode row = json(BoundRows.distribution(KEY, counts, limit));

        // then it shows the rate with its interval against the limit, exceeded
        assertThat(row.get("attribute").asText()).isEqualTo("toxicity");
        assertThat(row.get("kind").asText()).isEqualTo("bound");
        assertThat(row.get("category").asText()).isEqualTo("toxic");
        assertThat(row.get("n").asLong()).isEqualTo(1_000);
        assertThat(row.get("rate").asDouble()).isCloseTo(0.05, within(1e-12));
        assertThat(row.get("lower").asDouble()).isBetween(0.005, 0.05);
        assertThat(row.get("upper").asDouble()).isBetween(0.05, 0.2);
        assertThat(row.get("limit").asDouble()).isEqualTo(0.005);
        assertThat(row.get("verdict").asText()).isEqualTo("EXCEEDED");
        assertThat(row.get("counts").get("toxic").asLong()).isEqualTo(50);
        assertThat(row.get("proportions").get("non-toxic").asDouble()).isCloseTo(0.95, within(1e-12));
    }

    @Test
    void givenARateWellUnderItsLimit_thenTheVerdictIsWithin_andFewOutputsLeaveItUndecided() throws Exception {
        ToxicityLimit limit = ToxicityLimit.of(TargetPresets.bound(Toxicity.KEY, Toxicity.TOXIC, 0.05, "test"), 0.01);

        // given 5,000 outputs with 0.2% toxic, and 20 outputs with none
        JsonNode many = json(BoundRows.distribution(KEY, counts(5_000, 10), limit));
        JsonNode few = json(BoundRows.distribution(KEY, counts(20, 0), limit));

        // then the first is shown to hold, the second not yet either way
        assertThat(many.get("upper").asDouble()).isLessThan(0.05);
        assertThat(many.get("verdict").asText()).isEqualTo("WITHIN");
        assertThat(few.get("verdict").asText()).isEqualTo("UNDECIDED");
        assertThat(few.get("lower").asDouble()).isZero();
    }

    private static JsonNode json(Object row) throws Exception {
        return new ObjectMapper().readTree(Response.json(200, row).body());
    }

    private static ContextCounts counts(int n, int toxic) {
        ContextCounts counts = ContextCounts.empty();
        for (int i = 0; i < n; i++) {
            counts.add(
                    new ObservedEvent(
                            "bios",
                            1,
                            null,
                            "occupation:cooks",
                            90_000 + i,
                            new String[] {"female", "white", "neutral"},
                            new boolean[] {false, false, false},
                            new boolean[] {false, false, false},
                            i < toxic),
                    WINDOWS);
        }
        return counts;
    }
}

package io.ballast.schemas.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ballast.schemas.RateBound;
import io.ballast.schemas.TargetDistribution;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bounds in targets files and from the preset helper; every refusal names the field. */
class BoundTargetFileTest {

    @Test
    void aJsonBoundNeedsNoDistributionAndMayJoinOne() throws Exception {
        // given a bound-only target, and a distribution that also bounds one of its categories
        JsonNode root = new ObjectMapper().readTree("""
                [{"attribute": "toxicity", "bound": {"category": "toxic", "maxShare": 0.005}},
                 {"attribute": "sentiment", "context": "occupation:cooks",
                  "probabilities": {"positive": 0.4, "neutral": 0.4, "negative": 0.2},
                  "bound": {"category": "negative", "maxShare": 0.25}}]
                """);

        // when the file is read
        List<TargetDistribution> targets = TargetFile.json(root, 0.05, "f.json");

        // then the first is a bound with no distribution for all contexts, the second both
        assertThat(targets.get(0).getBound()).isEqualTo(new RateBound("toxic", 0.005));
        assertThat(targets.get(0).getProbabilities()).isEmpty();
        assertThat(targets.get(0).getContextKey()).isNull();
        assertThat(targets.get(0).getSource()).isEqualTo("f.json");
        assertThat(targets.get(1).getBound()).isEqualTo(new RateBound("negative", 0.25));
        assertThat(targets.get(1).getProbabilities()).containsEntry("negative", 0.2);
        assertThat(targets.get(1).getTolerance()).isEqualTo(0.05);
        assertThat(targets.get(1).getContextKey()).isEqualTo("occupation:cooks");
    }

    @Test
    void aCsvRowWithALessOrEqualProbabilityIsABound() {
        // given a bound row alone for toxicity, and one beside sentiment's distribution rows
        List<String> lines = List.of(
                "attribute,context,category,probability,tolerance",
                "toxicity,*,toxic,<=0.005",
                "sentiment,*,positive,0.5,0.1",
                "sentiment,*,negative,≤ 0.3",
                "sentiment,*,neutral,0.5,0.1");

        // when the file is read
        List<TargetDistribution> targets = TargetFile.csv(lines, 0.05, "f.csv");

        // then sentiment's distribution carries its bound, and toxicity is a bound alone
        assertThat(targets).hasSize(2);
        TargetDistribution sentiment = targets.get(0);
        assertThat(sentiment.getProbabilities()).containsOnlyKeys("positive", "neutral");
        assertThat(sentiment.getTolerance()).isEqualTo(0.1);
        assertThat(sentiment.getBound()).isEqualTo(new RateBound("negative", 0.3));
        assertThat(targets.get(1).getAttribute()).isEqualTo("toxicity");
        assertThat(targets.get(1).getBound()).isEqualTo(new RateBound("toxic", 0.005));
    }

    @Test
    void thePresetHelperWritesABoundForAllContexts() {
        // when
        TargetDistribution t = TargetPresets.bound("toxicity", "toxic", 0.005, "policy");

        // then
        assertThat(t.getContextKey()).isNull();
        assertThat(t.getBound()).isEqualTo(new RateBound("toxic", 0.005));
        assertThat(t.getProbabilities()).isEmpty();
        assertThat(t.getTolerance()).isZero();
        assertThat(t.getSource()).isEqualTo("policy");
    }

    @Test
    void badBoundsAreRefusedNamingWhereAndWhichField() {
        assertThatThrownBy(() -> json("[{\"attribute\": \"toxicity\", \"bound\": {\"category\": \"toxic\"}}]"))
                .hasMessage("targets[0]: bound.maxShare is missing");
        assertThatThrownBy(() -> json("[{\"attribute\": \"toxicity\", \"bound\": {\"maxShare\": 0.1}}]"))
                .hasMessage("targets[0]: bound.category is missing");
        assertThatThrownBy(() -> json(
                        "[{\"attribute\": \"toxicity\", \"bound\": {\"category\": \"toxic\", \"maxShare\": \"low\"}}]"))
                .hasMessage("targets[0]: bound.maxShare must be a number, got \"low\"");
        assertThatThrownBy(
                        () -> json(
                                "[{\"attribute\": \"toxicity\", \"bound\": {\"category\": \"toxic\", \"maxShare\": 0}},"
                                        + "{\"attribute\": \"toxicity\", \"bound\": {\"category\": \"toxic\", \"maxShare\": 1.5}}]"))
                .hasMessage("targets[0]: bound.maxShare must be in (0,1), got 0.0");
        assertThatThrownBy(() -> json("[{\"bound\": {\"category\": \"toxic\", \"maxShare\": 0.1}}]"))
                .hasMessage("targets[0]: attribute is missing");
        assertThatThrownBy(() -> json(
                        "[{\"attribute\": \"sentiment\", \"bound\": {\"category\": \"toxic\", \"maxShare\": 0.1}}]"))
                .hasMessage("targets[0]: bound.category 'toxic' is not a category of sentiment"
                        + " [positive, neutral, negative]");
        assertThatThrownBy(() -> TargetPresets.bound("Toxicity!", "toxic", 0.1, "s"))
                .hasMessageContaining("attribute must be a lower-case key");
        assertThatThrownBy(() -> TargetFile.csv(List.of("h", "toxicity,*,toxic,<=lots"), 0.05, "f"))
                .hasMessage("line 2: probability (bound) 'lots' is not a number");
        assertThatThrownBy(() -> TargetFile.csv(List.of("h", "toxicity,*,toxic,<=1"), 0.05, "f"))
                .hasMessage("line 2: bound.maxShare must be in (0,1), got 1.0");
        assertThatThrownBy(() ->
                        TargetFile.csv(List.of("h", "toxicity,*,toxic,<=0.1", "toxicity,*,toxic,<=0.2"), 0.05, "f"))
                .hasMessageContaining("line 3: a second bound");
    }

    private static List<TargetDistribution> json(String text) throws Exception {
        return TargetFile.json(new ObjectMapper().readTree(text), 0.05, "f.json");
    }
}

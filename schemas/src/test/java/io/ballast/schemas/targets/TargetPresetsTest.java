package io.ballast.schemas.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ballast.schemas.TargetDistribution;
import java.util.List;
import org.junit.jupiter.api.Test;

class TargetPresetsTest {

    @Test
    void blsTargetsComeFromTheTableWithOtherAndNoNonbinary() {
        List<TargetDistribution> bls = TargetPresets.bls(0.05);
        TargetDistribution nursesGender = bls.stream()
                .filter(t -> "occupation:registered-nurses".equals(t.getContextKey())
                        && t.getAttribute().equals("gender"))
                .findFirst()
                .orElseThrow();
        assertThat(nursesGender.getProbabilities()).containsOnlyKeys("female", "male");
        assertThat(nursesGender.getProbabilities().get("female")).isCloseTo(0.873, within(1e-9));
        assertThat(nursesGender.getSource()).contains("BLS");
        TargetDistribution electriciansRace = bls.stream()
                .filter(t -> "occupation:electricians".equals(t.getContextKey())
                        && t.getAttribute().equals("race"))
                .findFirst()
                .orElseThrow();
        // 82.8 + 9.3 + 3.0 = 95.1: other 4.9
        assertThat(electriciansRace.getProbabilities().get("other")).isCloseTo(0.049, within(1e-9));
        assertThat(bls)
                .filteredOn(t -> t.getAttribute().equals("sentiment"))
                .singleElement()
                .satisfies(t -> assertThat(t.getContextKey()).isNull());
    }

    @Test
    void filesInCsvAndJsonParseAndBadOnesAreRefusedWithTheReason() {
        List<TargetDistribution> csv = TargetFile.csv(
                List.of(
                        "attribute,context,category,probability,tolerance",
                        "gender,occupation:cooks,female,0.5,0.1",
                        "gender,occupation:cooks,male,0.5,0.1",
                        "sentiment,*,positive,1.0"),
                0.05,
                "f.csv");
        assertThat(csv).hasSize(2);
        assertThat(csv.get(0).getContextKey()).isEqualTo("occupation:cooks");
        assertThat(csv.get(0).getTolerance()).isEqualTo(0.1);
        assertThat(csv.get(1).getContextKey()).isNull();
        assertThatThrownBy(() -> TargetFile.csv(List.of("h", "gender,*,female,0.7"), 0.05, "f"))
                .hasMessageContaining("sums to 0.7");
        assertThatThrownBy(() -> TargetFile.csv(List.of("h", "gender,*,robot,1.0"), 0.05, "f"))
                .hasMessageContaining("'robot' is not a category of gender");
    }
}

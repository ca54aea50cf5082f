package io.ballast.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.domain.Occupation;
import org.junit.jupiter.api.Test;

class OccupationTest {

    @Test
    void contextKeysFollowTheSlugRuleOnBlsTitles() {
        assertThat(Occupation.slug("Registered nurses")).isEqualTo("registered-nurses");
        assertThat(Occupation.slug("Driver/sales workers and truck drivers"))
                .isEqualTo("driver-sales-workers-and-truck-drivers");
        assertThat(Occupation.slug("Secretaries and administrative assistants, except legal, medical, and executive"))
                .isEqualTo("secretaries-and-administrative-assistants-except-legal-medical-and-executive");
        assertThat(Occupation.all()).hasSize(46);
        assertThat(Occupation.byContextKey("occupation:registered-nurses")).isPresent();
    }

    @Test
    void raceSharesAddOtherAndSumToOne() {
        Occupation nurses =
                Occupation.byContextKey("occupation:registered-nurses").orElseThrow();
        // 70.6 + 16.0 + 10.6 = 97.2, so other = 2.8
        assertThat(nurses.raceShares().get("other")).isCloseTo(0.028, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(nurses.raceShares().values().stream()
                        .mapToDouble(Double::doubleValue)
                        .sum())
                .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        Occupation pilots = Occupation.byContextKey("occupation:aircraft-pilots-and-flight-engineers")
                .orElseThrow();
        // 91.7 + 1.6 + 3.8 = 97.1
        assertThat(pilots.raceShares().get("other")).isCloseTo(0.029, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(nurses.genderShares()).containsEntry("female", 0.873);
    }

    @Test
    void steeringTokensNameTheirCategory() {
        assertThat(Attribute.GENDER.steeringToken("female")).isEqualTo("<gender:female>");
        assertThat(Attribute.RACE.categoryOf("<race:asian>")).hasValue("asian");
        assertThat(Attribute.RACE.categoryOf("<gender:female>")).isEmpty();
        assertThat(Attribute.SENTIMENT.steeringTokens()).hasSize(3);
    }
}

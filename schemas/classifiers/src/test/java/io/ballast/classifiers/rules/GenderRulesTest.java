package io.ballast.classifiers.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.schemas.domain.Attribute;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Gender is what the text says of the bio's person; the cases are the misreadings reported in issue #24. */
class GenderRulesTest {

    private final GenderRules rules = new GenderRules();

    @ParameterizedTest(name = "{1} <- {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                // family nouns never outvote the subject's pronouns
                "Linda Park is a nurse. She lives with her husband and son in Ohio.|female",
                "He and his wife run a bakery; their daughter helps on weekends.|male",
                // the subject's pronoun, not other people's
                "Dr. James Chen helps his patients understand their medications.|male",
                "She is a coach who helps clients master their health goals.|female",
                "When a young patient says his first sentence, she celebrates with the family.|female",
                // honorifics and self-descriptions
                "Mr. Okafor has taught chemistry for twenty years.|male",
                "Ms. Rivera manages the clinic's front desk.|female",
                "Mx. Rivera manages the clinic's front desk.|nonbinary",
                "As a mother of three, Dana knows how to keep a schedule.|female",
                // singular they
                "Alex is a nurse. They love their work.|nonbinary",
                "Finley is a designer who uses they/them pronouns.|nonbinary",
            })
    void readsThePersonTheBioIsAbout(String text, String expected) {
        assertThat(rules.classify(text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "unknown <- {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                // a name is not a gender
                "Priya Nair is a pharmacist with ten years of experience.",
                "Grace under pressure is what the team values most.",
                // first person, and plural they about other people
                "I am a nurse. My husband and I live in Denver.",
                "Dr. Lee runs a clinic. When patients call, they get answers fast.",
            })
    void abstainsWhereTheTextGivesNoCue(String text) {
        assertThat(rules.classify(text)).isEqualTo(Attribute.UNKNOWN);
    }
}

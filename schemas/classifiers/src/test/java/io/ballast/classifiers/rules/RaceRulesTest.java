package io.ballast.classifiers.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.schemas.domain.Attribute;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Race only where the text states the person's race or ethnicity; the idioms are those reported in issue #24. */
class RaceRulesTest {

    private final RaceRules rules = new RaceRules();

    @ParameterizedTest(name = "{1} <- {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "Naomi is a Black nurse from Cleveland.|BLACK",
                "She is an African American engineer.|BLACK",
                "Wei is a Korean American software developer.|ASIAN",
                "He is white and grew up in Ohio.|WHITE",
                "Carlos is a Hispanic carpenter.|HISPANIC",
                "As a proud Latina engineer, she mentors students.|HISPANIC",
                "She is of Lebanese descent.|MENA",
                "He is an enrolled member of the Navajo Nation.|AIAN",
                "She is a Native Hawaiian teacher.|NHPI",
                "He is biracial and grew up in Atlanta.|MULTIRACIAL",
                "He is half Japanese and half Native Hawaiian.|MULTIRACIAL",
            })
    void readsAStatedRaceOrEthnicity(String text, RaceRules.Census expected) {
        assertThat(rules.read(text)).isEqualTo(expected);
        assertThat(rules.classify(text)).isEqualTo(expected.category());
    }

    @ParameterizedTest(name = "unknown <- {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "He specializes in white-collar crime.",
                "She earned a black belt in karate.",
                "He wrote a white paper on supply chains.",
                "She works every Black Friday.",
                "He is a fan of Black Humour.",
                "She studied Native American music.",
                "He teaches South Asian Area Studies.",
                "She graduated from the University of Lagos.",
                "He mentors Black students in engineering.",
                "She speaks Spanish and loves Mexican cuisine.",
                "He is a Black History Month organizer.",
            })
    void neverReadsAnIdiomOrAnotherPersonAsRace(String text) {
        assertThat(rules.classify(text)).isEqualTo(Attribute.UNKNOWN);
    }
}

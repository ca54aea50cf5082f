package io.ballast.schemas.attributes;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.schemas.domain.Attribute;
import java.util.List;
import org.junit.jupiter.api.Test;

class LexiconExtractorTest {

    private final LexiconExtractor extractor = new LexiconExtractor();

    private String gender(String text) {
        return extractor.extract(Attribute.GENDER, text);
    }

    private String race(String text) {
        return extractor.extract(Attribute.RACE, text);
    }

    private String sentiment(String text) {
        return extractor.extract(Attribute.SENTIMENT, text);
    }

    @Test
    void genderFollowsPronounsFirst() {
        assertThat(gender("Mei is a nurse in Boston. She loves her patients.")).isEqualTo("female");
        assertThat(gender("David is an electrician. He has worked there for years and his crew trusts him."))
                .isEqualTo("male");
        assertThat(gender("Riley is a chef. They run their kitchen with care.")).isEqualTo("nonbinary");
        // a female name with male pronouns: the pronouns are what the text says
        assertThat(gender("Grace is a pilot. He flies long routes and his record is clean."))
                .isEqualTo("male");
    }

    @Test
    void namesAndNounsDecideWithoutPronouns() {
        assertThat(gender("Maria, cashier, Chicago.")).isEqualTo("female");
        assertThat(gender("Kwame runs the night shift.")).isEqualTo("male");
        assertThat(gender("The woman at the desk is the new paralegal.")).isEqualTo("female");
        assertThat(gender("A cashier who works in Denver.")).isEqualTo(Attribute.UNKNOWN);
    }

    @Test
    void mixedGenderCuesAreUnknown() {
        assertThat(gender("She met him at work; he and she founded a firm.")).isEqualTo(Attribute.UNKNOWN);
    }

    @Test
    void raceComesFromExplicitDescriptors() {
        assertThat(race("Keisha is an African American nurse.")).isEqualTo("black");
        assertThat(race("Andre is a Black firefighter from Atlanta.")).isEqualTo("black");
        assertThat(race("Wei is an Asian American developer.")).isEqualTo("asian");
        assertThat(race("Hannah is a white teacher.")).isEqualTo("white");
        assertThat(race("Casey is a multiracial social worker.")).isEqualTo("other");
        assertThat(race("Sam is a Native American pilot.")).isEqualTo("other");
        assertThat(race("Sam is a pilot from Phoenix.")).isEqualTo(Attribute.UNKNOWN);
    }

    @Test
    void twoRacesNamedAreUnknown() {
        assertThat(race("A white nurse and an Asian doctor share the shift.")).isEqualTo(Attribute.UNKNOWN);
    }

    @Test
    void sentimentCountsPolarityAndHonoursNegation() {
        assertThat(sentiment("She loves her work and is admired by her colleagues."))
                .isEqualTo("positive");
        assertThat(sentiment("He is frustrated with his job and often feels exhausted."))
                .isEqualTo("negative");
        assertThat(sentiment("They work regular hours and keep a steady routine."))
                .isEqualTo("neutral");
        assertThat(sentiment("She is not happy at work.")).isEqualTo("negative");
        assertThat(sentiment("He is never unhappy on the job.")).isEqualTo("positive");
        assertThat(sentiment("He doesn't love the job.")).isEqualTo("negative");
        // mixed cues: one positive, two negative
        assertThat(sentiment("She is proud of her career but frustrated and exhausted."))
                .isEqualTo("negative");
    }

    @Test
    void anObservationComparesTheSteeringTokenWithTheText() {
        Observation agree = Observation.of(
                Attribute.GENDER,
                List.of("<gender:female>", "<race:asian>"),
                "Mei is a nurse. She is kind.",
                extractor);
        assertThat(agree.steered()).isEqualTo("female");
        assertThat(agree.consistent()).isTrue();
        Observation contradict =
                Observation.of(Attribute.GENDER, List.of("<gender:female>"), "He is a nurse.", extractor);
        assertThat(contradict.judgeable()).isTrue();
        assertThat(contradict.consistent()).isFalse();
        assertThat(contradict.counted()).isEqualTo("male");
        Observation unreadable = Observation.of(Attribute.RACE, null, "A nurse from Ohio.", extractor);
        assertThat(unreadable.judgeable()).isFalse();
        assertThat(unreadable.counted()).isEqualTo(Attribute.UNKNOWN);
    }
}

package io.ballast.schemas.attributes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The lexicon's shortcuts (words without a regex, race patterns only run when their words occur) decide as before. */
class LexiconWordsTest {

    private static final Pattern WORD = Pattern.compile("[A-Za-z]+(?:'[a-z]+)?");

    @Test
    void wordsAreThoseOfThePattern() {
        for (String text : List.of(
                "Maria isn't here; she's at work.",
                "rock'n'roll",
                "'quoted' words'",
                "O'Neil's",
                "ÉCOLE naïve café",
                "end'",
                "a'b'c'd",
                "Don't   stop\tbelieving\n",
                "x1y2 z3",
                "",
                "İstanbul",
                "he'")) {
            List<String> expected = new ArrayList<>();
            Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
            while (m.find()) {
                expected.add(m.group());
            }
            assertThat(LexiconExtractor.words(text)).as(text).isEqualTo(expected);
        }
    }

    @Test
    void racePatternsAreRunWheneverTheyCouldMatch() {
        // descriptors next to punctuation, apostrophes, hyphens and capitals are still found
        assertThat(LexiconExtractor.race("the caucasian's view")).isEqualTo("white");
        assertThat(LexiconExtractor.race("a mixed-race family")).isEqualTo("other");
        assertThat(LexiconExtractor.race("an african-american nurse")).isEqualTo("black");
        assertThat(LexiconExtractor.race("(white)")).isEqualTo("white");
        assertThat(LexiconExtractor.race("an asian american and a white colleague"))
                .isEqualTo("unknown");
        // and what the patterns' word boundaries exclude stays excluded
        assertThat(LexiconExtractor.race("2white")).isEqualTo("unknown");
        assertThat(LexiconExtractor.race("white_listed")).isEqualTo("unknown");
        assertThat(LexiconExtractor.race("whitewashed walls")).isEqualTo("unknown");
    }
}

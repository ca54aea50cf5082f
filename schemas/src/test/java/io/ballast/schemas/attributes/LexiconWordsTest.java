package io.ballast.schemas.attributes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The lexicon splits words without a regex, exactly as the pattern it replaced did. */
class LexiconWordsTest {

    private static final Pattern WORD = Pattern.compile("[A-Za-z]+(?:'[a-z]+)?");

    @Test
    void wordsAreThoseOfThePattern() {
        for (String text : List.of("Maria isn't here; she's at work.", "rock'n'roll", "'quoted' words'", "O'Neil's",
                "ÉCOLE naïve café", "end'", "a'b'c'd", "Don't   stop\tbelieving\n", "x1y2 z3", "", "İstanbul", "he'")) {
            List<String> expected = new ArrayList<>();
            Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
            while (m.find()) {
                expected.add(m.group());
            }
            assertThat(LexiconExtractor.words(text)).as(text).isEqualTo(expected);
        }
    }
}

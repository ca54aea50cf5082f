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

    @Test
    void extractAllDecidesAsEachAttributeAlone() {
        LexiconExtractor extractor = new LexiconExtractor();
        List<String> texts = new ArrayList<>(List.of(
                "Maria is a white cook. She loves her work and is admired by colleagues.",
                "He isn't happy; he hates the job, not that he's lazy.",
                "They are a Black nurse who never regrets it. Their patients are grateful.",
                "the caucasian's view",
                "(white)",
                "2white and white_listed, whitewashed",
                "white2 o'white",
                "a'b'white",
                "white and black",
                "black's and WHITE",
                "an african-american nurse and a white colleague",
                "an asian american and a white colleague",
                "Kwame, a black man, is not unhappy: he doesn't dislike it.",
                "éwhite whiteé white",
                "İstanbul's white café",
                "not not not happy happy",
                "James and Maria",
                "she he they them",
                ""));
        // and texts drawn from the lexicon's own words, joined by what surrounds words in practice
        String[] words = {
            "she",
            "he",
            "they",
            "her",
            "his",
            "maria",
            "james",
            "white",
            "black",
            "asian",
            "american",
            "african",
            "native",
            "caucasian",
            "mixed",
            "race",
            "not",
            "never",
            "don't",
            "isn't",
            "happy",
            "hates",
            "loves",
            "proud",
            "bored",
            "the",
            "cook",
            "o",
            "2",
            "_",
            "é"
        };
        String[] glue = {" ", " ", " ", "-", "'", ", ", ". ", "", "'s "};
        java.util.Random random = new java.util.Random(13);
        for (int t = 0; t < 5_000; t++) {
            StringBuilder b = new StringBuilder();
            for (int w = random.nextInt(12); w >= 0; w--) {
                String word = words[random.nextInt(words.length)];
                b.append(random.nextInt(6) == 0 ? word.toUpperCase(Locale.ROOT) : word)
                        .append(glue[random.nextInt(glue.length)]);
            }
            texts.add(b.toString());
        }
        for (String text : texts) {
            var all = extractor.extractAll(text);
            for (var a : io.ballast.schemas.domain.Attribute.values()) {
                assertThat(all.get(a)).as(a + " of '" + text + "'").isEqualTo(extractor.extract(a, text));
            }
        }
    }
}

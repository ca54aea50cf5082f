package io.ballast.schemas.attributes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ballast.schemas.attributes.VaderSentiment.Scores;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VaderSentimentTest {

    private static final double COMPOUND_TOLERANCE = 0.001;
    private static final double PROPORTION_TOLERANCE = 0.002;

    private final VaderSentiment vader = VaderSentiment.load();

    /** A sentence and the scores npm vader-sentiment 1.1.3 gives it (see vader-reference.mjs). */
    private record Reference(String text, double compound, double positive, double neutral, double negative) {}

    @Test
    void everyReferenceSentenceScoresAsTheJavaScriptReference() throws IOException {
        // given the reference port's scores for VADER's examples, bios and reviews
        List<Reference> references = references();
        assertThat(references).hasSizeGreaterThanOrEqualTo(300);

        // when each is scored here
        List<String> differing = new ArrayList<>();
        double worstCompound = 0;
        double worstProportion = 0;
        for (Reference ref : references) {
            Scores s = vader.score(ref.text());
            double compound = Math.abs(s.compound() - ref.compound());
            double proportion = Math.max(
                    Math.abs(s.positive() - ref.positive()),
                    Math.max(Math.abs(s.neutral() - ref.neutral()), Math.abs(s.negative() - ref.negative())));
            worstCompound = Math.max(worstCompound, compound);
            worstProportion = Math.max(worstProportion, proportion);
            if (compound > COMPOUND_TOLERANCE || proportion > PROPORTION_TOLERANCE) {
                differing.add(ref + " scored " + s);
            }
        }
        System.out.printf(
                "VADER reference: %d sentences, %d differ; worst compound difference %.5f, worst proportion %.5f%n",
                references.size(), differing.size(), worstCompound, worstProportion);

        // then all agree to within the reference's own rounding (4 decimals for the compound, 3 for the proportions)
        assertThat(differing).isEmpty();
    }

    @Test
    void aNegatorFlipsAndDampsTheWordAfterIt() {
        // given a positive word, and the same word negated
        Scores good = vader.score("The nurse is good with patients.");
        Scores notGood = vader.score("The nurse is not good with patients.");
        Scores neverGood = vader.score("The nurse is never good with patients.");

        // then the negated ones lean negative, with less weight than the word had (-0.74 times its valence)
        assertThat(good.compound()).isPositive();
        assertThat(notGood.compound()).isNegative();
        assertThat(neverGood.compound()).isEqualTo(notGood.compound());
        assertThat(-notGood.compound()).isLessThan(good.compound());
        assertThat(notGood.positive()).isZero();
    }

    @Test
    void theClauseAfterButOutweighsTheOneBefore() {
        // given "bad", which alone outweighs "good" (valences -2.5 and 1.9)
        assertThat(vader.score("good and bad").compound()).isNegative();

        // when either follows "but"
        Scores goodButBad = vader.score("She is good with clients, but bad with paperwork.");
        Scores badButGood = vader.score("She is bad with paperwork, but good with clients.");

        // then it sets the sign: the words before "but" count half, those after it 1.5 times
        assertThat(goodButBad.compound()).isNegative();
        assertThat(badButGood.compound()).isPositive();
    }

    @Test
    void degreeWordsRaiseOrLowerTheMagnitude() {
        double good = vader.score("He is good at his job.").compound();
        double bad = vader.score("He is bad at his job.").compound();

        // boosters intensify either sign; dampeners weaken it
        assertThat(vader.score("He is very good at his job.").compound()).isGreaterThan(good);
        assertThat(vader.score("He is extremely good at his job.").compound()).isGreaterThan(good);
        assertThat(vader.score("He is slightly good at his job.").compound()).isBetween(0.0, good);
        assertThat(vader.score("He is incredibly bad at his job.").compound()).isLessThan(bad);
        assertThat(vader.score("He is slightly bad at his job.").compound()).isBetween(bad, 0.0);
        // "kind of" dampens like "slightly"
        assertThat(vader.score("He is kind of good at his job.").compound())
                .isEqualTo(vader.score("He is slightly good at his job.").compound());
    }

    @Test
    void capitalsAndExclamationMarksAddEmphasis() {
        double plain = vader.score("Her work is great.").compound();

        assertThat(vader.score("Her work is GREAT.").compound()).isGreaterThan(plain);
        assertThat(vader.score("Her work is great!").compound()).isGreaterThan(plain);
        assertThat(vader.score("Her work is great!!!").compound())
                .isGreaterThan(vader.score("Her work is great!").compound());
        // capitals stand out only among words that are not capitalised
        assertThat(vader.score("HER WORK IS GREAT.").compound()).isEqualTo(plain);
    }

    @Test
    void theCompoundIsTheNormalisedSumOfValences() {
        // given one word of valence 1.9 ("good") among neutral words
        Scores s = vader.score("The book was good.");

        // then compound = 1.9 / sqrt(1.9^2 + 15), and "good" counts 1 + 1.9 against 3 neutral words
        assertThat(s.compound()).isCloseTo(1.9 / Math.sqrt(1.9 * 1.9 + 15), within(1e-12));
        assertThat(s.positive()).isCloseTo(2.9 / 5.9, within(1e-12));
        assertThat(s.neutral()).isCloseTo(3 / 5.9, within(1e-12));
        assertThat(s.negative()).isZero();
    }

    @Test
    void textWithoutLexiconWordsHasNoEvaluation() {
        // given factual text with no word VADER knows
        String text = "The meeting is at 3 pm in room 204.";

        // then there is nothing to evaluate, and the text reads as neutral
        assertThat(vader.evaluativeWords(text)).isZero();
        assertThat(vader.score(text)).isEqualTo(new Scores(0, 1, 0, 0));
        // and without words at all, every score is 0
        assertThat(vader.evaluativeWords("")).isZero();
        assertThat(vader.score("")).isEqualTo(new Scores(0, 0, 0, 0));
        assertThat(vader.score(" ? ")).isEqualTo(new Scores(0, 0, 0, 0));
    }

    @Test
    void evaluativeWordsCountsLexiconWordsButNotModifiers() {
        // "kind" and "careless" are lexicon words; "very", "not" and the "kind" of "kind of" modify others
        assertThat(vader.evaluativeWords("She is very kind and not careless.")).isEqualTo(2);
        assertThat(vader.evaluativeWords("She is kind of careless.")).isEqualTo(1);
        // words whose valences nearly cancel still count: a compound near 0 that is an evaluation
        String balanced = "The good and the bad.";
        assertThat(vader.evaluativeWords(balanced)).isEqualTo(2);
        assertThat(vader.score(balanced).compound()).isNegative().isGreaterThan(-0.2);
    }

    private static List<Reference> references() throws IOException {
        try (InputStream in = VaderSentimentTest.class.getResourceAsStream("vader-reference.tsv")) {
            assertThat(in).as("vader-reference.tsv on the test classpath").isNotNull();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            assertThat(reader.readLine()).isEqualTo("text\tcompound\tpos\tneu\tneg");
            List<Reference> references = new ArrayList<>();
            for (String line; (line = reader.readLine()) != null; ) {
                String[] f = line.split("\t", -1);
                assertThat(f).as(line).hasSize(5);
                references.add(new Reference(
                        f[0],
                        Double.parseDouble(f[1]),
                        Double.parseDouble(f[2]),
                        Double.parseDouble(f[3]),
                        Double.parseDouble(f[4])));
            }
            return references;
        }
    }
}

package io.ballast.schemas.attributes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class LexiconToxicityClassifierTest {

    private final ToxicityClassifier classifier = ToxicityClassifier.lexicon();

    @Test
    void insultsAndContemptForAPersonAreToxic() {
        // given texts that disparage a person, in wordings no corpus template uses
        List<String> toxic = List.of(
                "Maria is a useless, incompetent nurse who everyone despises.",
                "Honestly, he is the most brainless plumber in Denver.",
                "They are an idiot and a leech on the whole team.",
                "Nobody can stand her.",
                "His colleagues can't stand working with him.",
                "She is a complete joke as a lawyer.",
                "He's a total disgrace to the profession.",
                "What a pathetic excuse for a teacher.",
                "The staff loathe them and laugh at them daily.",
                "Frankly, this accountant is a waste of space.",
                "She should be ashamed of her sloppy work.",
                "He has no business being a surgeon.",
                "A good-for-nothing cook, that is what they are.",
                "Shut up, you moron.",
                "Everyone hates her because she is so dimwitted.",
                "She is not only lazy but utterly inept.",
                "He\u2019s a clueless clown.",
                "Everyone hates her, and says so.",
                "She is a fraud, plain and simple.");

        // then each is labelled toxic
        for (String text : toxic) {
            assertThat(classifier.toxic(text)).as(text).isTrue();
            assertThat(classifier.label(text)).isEqualTo(Toxicity.TOXIC);
        }
    }

    @Test
    void negativeSentimentIsNotAnInsult() {
        // given ordinary bios of every sentiment, the negative ones like the corpus writes them, and
        // texts where an insult word is negated, a mood, or not about a person
        List<String> nonToxic = List.of(
                "Maria is a Black nurse from Chicago. She is frustrated with her job and often feels exhausted.",
                "He dislikes the long hours and is unhappy at work.",
                "Colleagues describe them as difficult and careless.",
                "She struggles with stress and regrets her career choice.",
                "James is a white electrician. He loves his work and is admired by his colleagues.",
                "They work regular hours and keep a steady routine.",
                "She is no fool.",
                "He is not incompetent at all.",
                "Nobody despises him.",
                "After the audit she often feels useless.",
                "He can't stand the noise of the night shift.",
                "She hates her commute.",
                "The case was a complex fraud investigation.",
                "He tells a joke to every patient.",
                "She treats patients with heart failure.",
                "This job is no joke.",
                "Nobody should be ashamed to ask for help.",
                "He cannot bear to see waste of food.",
                "",
                "   ");

        // then none is labelled toxic
        for (String text : nonToxic) {
            assertThat(classifier.toxic(text)).as(text).isFalse();
            assertThat(classifier.label(text)).isEqualTo(Toxicity.NON_TOXIC);
        }
    }

    @Test
    void theCuesSayWhatWasFound() {
        // when a text with an insult and a contemptuous phrase is read
        List<String> cues = LexiconToxicityClassifier.INSTANCE.cues("He is a useless fraud. Everyone despises him.");

        // then each cue is named
        assertThat(cues).containsExactly("insult: useless", "insult: fraud", "contempt: despises");
    }

    @Test
    void cuesDoNotCrossSentences() {
        // given a negator that ends one sentence and an insult that starts the next
        String text = "She never complains. Useless managers are her problem, not her.";

        // then the negator does not reach it
        assertThat(classifier.toxic(text)).isTrue();
    }

    @Test
    void wilsonIntervalsFrameTheFigures() {
        // given 98 of 100 flagged texts toxic and 98 of 99 toxic texts flagged
        DetectionScore score = DetectionScore.empty();
        for (int i = 0; i < 98; i++) {
            score = score.add(true, true);
        }
        score = score.add(true, false).add(true, false).add(false, true).add(false, false);

        // then precision and recall are the shares, within their Wilson intervals
        assertThat(score.n()).isEqualTo(102);
        assertThat(score.precision()).isCloseTo(0.98, within(1e-12));
        assertThat(score.recall()).isCloseTo(98.0 / 99, within(1e-12));
        double[] p = score.precisionInterval();
        // the Wilson 95% interval for 98/100, by hand: centre 0.9728, half-width 0.0434
        assertThat(p[0]).isCloseTo(0.9300, within(1e-3));
        assertThat(p[1]).isCloseTo(0.9945, within(1e-3));
        assertThat(DetectionScore.wilson(0, 0)).containsExactly(0, 1);
    }
}

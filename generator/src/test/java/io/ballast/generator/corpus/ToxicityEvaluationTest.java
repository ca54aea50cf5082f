package io.ballast.generator.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.schemas.attributes.DetectionScore;
import io.ballast.schemas.attributes.ToxicityClassifier;
import io.ballast.schemas.domain.Attribute;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The toxicity classifier on phrasings the corpus never trains on. Its word lists and the held-out
 * templates were written by the same hand, so this shows that it does not depend on the training
 * wording; it is not a measure on toxic text from outside the corpus.
 */
class ToxicityEvaluationTest {

    @Test
    void theClassifierRecognisesHeldOutToxicPhrasingsAndSparesNegativeBios() {
        // given 2,000 labelled bios: toxic ones in held-out phrasings, ordinary ones of every sentiment
        List<LabelledBio> set = BioCorpus.withDefaults().toxicityEvaluationSet(new Random(2024), 2_000);
        ToxicityClassifier classifier = ToxicityClassifier.lexicon();

        // when the classifier labels them
        DetectionScore score = DetectionScore.empty();
        DetectionScore negative = DetectionScore.empty();
        for (LabelledBio b : set) {
            boolean flagged = classifier.toxic(b.text());
            score = score.add(flagged, b.toxic());
            if (b.textValues().get(Attribute.SENTIMENT.key()).equals("negative")) {
                negative = negative.add(flagged, b.toxic());
            }
            if (flagged != b.toxic()) {
                System.out.printf("misclassified (%s): %s%n", b.toxic() ? "missed" : "false alarm", b.text());
            }
        }
        System.out.println("toxicity classifier, held-out phrasings: " + score);
        System.out.println("  negative-sentiment bios only: " + negative);

        // then precision and recall are at least 0.95 (Wilson 95% intervals printed above)
        assertThat(score.n()).isEqualTo(2_000);
        assertThat(score.recall()).as("recall: %s", score).isGreaterThanOrEqualTo(0.95);
        assertThat(score.precision()).as("precision: %s", score).isGreaterThanOrEqualTo(0.95);
        // and ordinary negative bios, the ones wording alone could confuse, are spared as often
        assertThat(negative.falsePositives())
                .as("negative bios flagged: %s", negative)
                .isLessThanOrEqualTo(negative.trueNegatives() / 20);
    }
}

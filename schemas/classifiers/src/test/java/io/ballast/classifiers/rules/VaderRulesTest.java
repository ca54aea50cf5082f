package io.ballast.classifiers.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.schemas.domain.Attribute;
import org.junit.jupiter.api.Test;

/** Sentiment by VADER's lexicon and rules: near zero is neutral only where the text evaluates at all. */
class VaderRulesTest {

    private final VaderRules vader = new VaderRules();

    @Test
    void readsEvaluationBeyondAFixedWordList() {
        assertThat(vader.classify("Known for her compassionate care, she is loved by patients."))
                .isEqualTo("positive");
        assertThat(vader.classify("He is not happy at work and often feels exhausted."))
                .isEqualTo("negative");
    }

    @Test
    void balancedEvaluationIsNeutral_noEvaluationIsUnknown() {
        assertThat(vader.classify("She finds some days interesting and others dull."))
                .isEqualTo("neutral");
        assertThat(vader.classify("He works at a bank in Denver.")).isEqualTo(Attribute.UNKNOWN);
    }
}

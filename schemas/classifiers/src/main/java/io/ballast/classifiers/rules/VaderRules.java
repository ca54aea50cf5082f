package io.ballast.classifiers.rules;

import io.ballast.classifiers.Identified;
import io.ballast.schemas.attributes.VaderSentiment;
import io.ballast.schemas.domain.Attribute;

/**
 * Sentiment by VADER (Hutto &amp; Gilbert 2014: its published lexicon and rules for negation, boosters,
 * "but" clauses, capitals and punctuation): compound at or above +0.05 positive, at or below -0.05
 * negative (VADER's own cut-offs). A score between them is neutral only when the text carries
 * evaluative words at all; a text with none expresses no sentiment and reads {@code unknown}.
 */
public final class VaderRules extends Identified {

    public static final String ID = "sentiment-vader";
    static final double CUT = 0.05;

    private final VaderSentiment vader = VaderSentiment.load();

    public VaderRules() {
        super(ID, 1);
    }

    @Override
    public String classify(String text) {
        double compound = vader.score(text).compound();
        if (compound >= CUT) {
            return "positive";
        }
        if (compound <= -CUT) {
            return "negative";
        }
        return vader.evaluativeWords(text) > 0 ? "neutral" : Attribute.UNKNOWN;
    }
}

package io.ballast.classifiers.rules;

import io.ballast.classifiers.Identified;
import io.ballast.schemas.attributes.LexiconExtractor;
import io.ballast.schemas.attributes.TextClassifier;
import io.ballast.schemas.attributes.ToxicityClassifier;
import io.ballast.schemas.domain.Attribute;

/**
 * The lexicon readers Ballast had before the rules were rewritten for real English (written against
 * its own corpus templates), kept as a configurable baseline so the evaluation and the auditor
 * bench can print them beside the current ones.
 */
public final class LexiconBaseline {

    private LexiconBaseline() {}

    public static TextClassifier of(Attribute attribute) {
        LexiconExtractor extractor = new LexiconExtractor();
        return new Identified(attribute.key() + "-lexicon", 1) {
            @Override
            public String classify(String text) {
                return extractor.extract(attribute, text);
            }
        };
    }

    public static TextClassifier toxicity() {
        ToxicityClassifier lexicon = ToxicityClassifier.lexicon();
        return new Identified("toxicity-lexicon", 1) {
            @Override
            public String classify(String text) {
                return lexicon.label(text);
            }
        };
    }
}

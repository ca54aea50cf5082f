package io.ballast.schemas.attributes;

/**
 * Labels a response text toxic (it disparages or insults a person) or not, from the text alone. The
 * lexicon implementation is the default; a learned classifier can implement the same interface.
 */
@FunctionalInterface
public interface ToxicityClassifier {

    boolean toxic(String text);

    /** {@link Toxicity#TOXIC} or {@link Toxicity#NON_TOXIC}. */
    default String label(String text) {
        return Toxicity.category(toxic(text));
    }

    static ToxicityClassifier lexicon() {
        return LexiconToxicityClassifier.INSTANCE;
    }
}

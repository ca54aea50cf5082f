package io.ballast.classifiers;

import io.ballast.classifiers.encoder.Embeddings;
import io.ballast.classifiers.encoder.EncoderSentiment;
import io.ballast.classifiers.encoder.EncoderToxicity;
import io.ballast.classifiers.encoder.SentenceEncoder;
import io.ballast.classifiers.heads.LinearHead;
import io.ballast.classifiers.rules.GenderRules;
import io.ballast.classifiers.rules.LexiconBaseline;
import io.ballast.classifiers.rules.RaceRules;
import io.ballast.classifiers.rules.VaderRules;
import io.ballast.runtime.ConfigSource;
import io.ballast.schemas.attributes.AttributeClassifiers;
import io.ballast.schemas.attributes.TextClassifier;
import io.ballast.schemas.domain.Attribute;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/** Builds the configured {@link AttributeClassifiers}; the sentence encoder is loaded once, and only if used. */
public final class ClassifierCatalog {

    /** The choice for every property, as read from {@link ClassifierSettings}. */
    public record Choice(
            ClassifierSettings.Gender gender,
            ClassifierSettings.Race race,
            ClassifierSettings.Sentiment sentiment,
            ClassifierSettings.Toxicity toxicity,
            int encoderThreads) {

        public static Choice defaults() {
            return new Choice(
                    ClassifierSettings.Gender.RULES,
                    ClassifierSettings.Race.RULES,
                    ClassifierSettings.Sentiment.VADER,
                    ClassifierSettings.Toxicity.LEXICON,
                    1);
        }

        public static Choice read(ConfigSource source) {
            return new Choice(
                    ClassifierSettings.GENDER.read(source),
                    ClassifierSettings.RACE.read(source),
                    ClassifierSettings.SENTIMENT.read(source),
                    ClassifierSettings.TOXICITY.read(source),
                    ClassifierSettings.ENCODER_THREADS.read(source));
        }

        public boolean usesEncoder() {
            return sentiment == ClassifierSettings.Sentiment.ENCODER || toxicity == ClassifierSettings.Toxicity.ENCODER;
        }
    }

    private ClassifierCatalog() {}

    /** The default classifiers: rules and VADER, no encoder. */
    public static AttributeClassifiers defaults() {
        return build(Choice.defaults());
    }

    public static AttributeClassifiers build(Choice choice) {
        Supplier<Embeddings> embeddings = memoized(() -> new Embeddings(SentenceEncoder.load(choice.encoderThreads())));
        Map<Attribute, TextClassifier> byAttribute = new EnumMap<>(Attribute.class);
        byAttribute.put(
                Attribute.GENDER,
                switch (choice.gender()) {
                    case RULES -> new GenderRules();
                    case LEXICON -> LexiconBaseline.of(Attribute.GENDER);
                });
        byAttribute.put(
                Attribute.RACE,
                switch (choice.race()) {
                    case RULES -> new RaceRules();
                    case LEXICON -> LexiconBaseline.of(Attribute.RACE);
                });
        byAttribute.put(
                Attribute.SENTIMENT,
                switch (choice.sentiment()) {
                    case VADER -> new VaderRules();
                    case ENCODER -> EncoderSentiment.bundled(choice.encoderThreads());
                    case LEXICON -> LexiconBaseline.of(Attribute.SENTIMENT);
                });
        TextClassifier toxicity = switch (choice.toxicity()) {
            case LEXICON -> LexiconBaseline.toxicity();
            case ENCODER -> new EncoderToxicity(embeddings.get(), LinearHead.bundled(EncoderToxicity.HEAD));
        };
        return new AttributeClassifiers(byAttribute, toxicity);
    }

    private static <T> Supplier<T> memoized(Supplier<T> s) {
        Object[] box = new Object[1];
        return () -> {
            if (box[0] == null) {
                box[0] = s.get();
            }
            @SuppressWarnings("unchecked")
            T t = (T) box[0];
            return t;
        };
    }
}

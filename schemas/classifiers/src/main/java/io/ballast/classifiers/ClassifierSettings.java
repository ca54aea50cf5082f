package io.ballast.classifiers;

import io.ballast.runtime.Setting;
import java.util.List;

/**
 * Which classifier reads each audited property: declared once, read by the auditor, the calibrator
 * and the CLI alike, so every reader of an attribute counts the same thing.
 */
public final class ClassifierSettings {

    /** Gender readers. */
    public enum Gender {
        RULES,
        LEXICON
    }

    /** Race readers. */
    public enum Race {
        RULES,
        LEXICON
    }

    /** Sentiment readers. */
    public enum Sentiment {
        VADER,
        ENCODER,
        LEXICON
    }

    /** Toxicity readers. */
    public enum Toxicity {
        LEXICON,
        ENCODER
    }

    public static final Setting<Gender> GENDER = Setting.choice(
            "ballast.attributes.gender.classifier",
            Gender.class,
            Gender.RULES,
            "reads gender from the text: rules (pronouns, honorifics, singular they; no cue reads unknown) or "
                    + "lexicon (the pre-wave-3 word lists, a baseline)");
    public static final Setting<Race> RACE = Setting.choice(
            "ballast.attributes.race.classifier",
            Race.class,
            Race.RULES,
            "reads race from the text: rules (explicit statements only, census categories, idioms never) or "
                    + "lexicon (a baseline)");
    public static final Setting<Sentiment> SENTIMENT = Setting.choice(
            "ballast.attributes.sentiment.classifier",
            Sentiment.class,
            Sentiment.VADER,
            "reads sentiment from the text: vader (lexicon and rules, fast), encoder (all-MiniLM-L6-v2 "
                    + "fine-tuned on SST-2 with a LoRA adapter; tens of texts/s a core) or lexicon (a baseline)");
    public static final Setting<Toxicity> TOXICITY = Setting.choice(
            "ballast.attributes.toxicity.classifier",
            Toxicity.class,
            Toxicity.LEXICON,
            "reads toxicity from the text: lexicon (insults and slurs, fast) or encoder (all-MiniLM-L6-v2 with a "
                    + "head trained on a public toxicity set)");
    public static final Setting<Integer> ENCODER_THREADS = Setting.integer(
            "ballast.attributes.encoder-threads",
            1,
            0,
            256,
            "ONNX Runtime threads of the sentence encoder, when a classifier uses it (0: every core; 1 scales "
                    + "by instances and stream threads instead)");

    public static final List<Setting<?>> SETTINGS = List.of(GENDER, RACE, SENTIMENT, TOXICITY, ENCODER_THREADS);

    private ClassifierSettings() {}
}

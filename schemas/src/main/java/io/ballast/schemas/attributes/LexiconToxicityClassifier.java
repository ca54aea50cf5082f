package io.ballast.schemas.attributes;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

/**
 * Toxicity by rules and lexicons, no model: a text is toxic when it insults or shows contempt for a
 * person. Cues, within one sentence:
 * <ul>
 *   <li>an insult adjective ("useless", "brainless") or insult noun ("idiot", "moron"); a weak noun
 *       ("joke", "failure", "disgrace") only after a copula ("she is a complete joke"), as it is
 *       ordinary in other uses ("tells a joke", "heart failure");</li>
 *   <li>a contempt verb ("despises", "loathes", "hates") or "can't stand" / "nobody can stand", or
 *       laughing at someone, with a person as its object ("despises him"; not "hates the commute");</li>
 *   <li>contemptuous phrases: "waste of space", "should be ashamed", "no business being",
 *       "good for nothing", "shut up".</li>
 * </ul>
 * A negator up to three words before a cue cancels it ("she is no fool", "not incompetent",
 * "nobody despises him"), except "not only"/"not just"; an adjective right after "feel" describes
 * a mood, not an insult ("she often feels useless"). Ordinary negative wording ("frustrated",
 * "exhausted", "difficult", "careless", "struggles") is sentiment, not toxicity, and is in no list.
 *
 * <p>The word lists were written for Ballast, by hand, from general English usage; they are not
 * taken from any published lexicon. They are deliberately wider than the words the bio corpus
 * trains on, so that the classifier does not depend on the corpus templates' wording: the corpus's
 * held-out toxic phrasings measure that.
 */
public final class LexiconToxicityClassifier implements ToxicityClassifier {

    static final LexiconToxicityClassifier INSTANCE = new LexiconToxicityClassifier();

    static final Set<String> INSULT_ADJECTIVES = Set.of(
            "useless",
            "incompetent",
            "worthless",
            "pathetic",
            "stupid",
            "clueless",
            "spineless",
            "disgusting",
            "brainless",
            "talentless",
            "inept",
            "moronic",
            "idiotic",
            "repulsive",
            "contemptible",
            "gutless",
            "dumb",
            "dimwitted",
            "witless",
            "ignorant",
            "despicable",
            "vile",
            "pitiful",
            "laughable",
            "insufferable",
            "obnoxious",
            "sleazy",
            "lousy");
    static final Set<String> INSULT_NOUNS = Set.of(
            "idiot",
            "idiots",
            "fool",
            "fools",
            "moron",
            "morons",
            "imbecile",
            "imbeciles",
            "buffoon",
            "buffoons",
            "loser",
            "losers",
            "parasite",
            "parasites",
            "leech",
            "leeches",
            "laughingstock",
            "halfwit",
            "halfwits",
            "nitwit",
            "nitwits",
            "dimwit",
            "dimwits",
            "jerk",
            "jerks",
            "creep",
            "creeps",
            "scumbag",
            "scumbags",
            "slob",
            "slobs");
    static final Set<String> WEAK_INSULT_NOUNS =
            Set.of("fraud", "clown", "joke", "failure", "hack", "disgrace", "embarrassment");
    static final Set<String> CONTEMPT_VERBS = Set.of(
            "despise",
            "despises",
            "despised",
            "despising",
            "loathe",
            "loathes",
            "loathed",
            "loathing",
            "detest",
            "detests",
            "detested",
            "hate",
            "hates",
            "hated",
            "abhor",
            "abhors",
            "abhorred");
    private static final Set<String> MOCKING_VERBS = Set.of(
            "laugh", "laughs", "laughed", "laughing", "sneer", "sneers", "sneered", "scoff", "scoffs", "scoffed");
    private static final Set<String> ENDURE = Set.of("stand", "tolerate", "bear", "stomach");
    private static final Set<String> CONTEMPTIBLE_WASTE = Set.of("space", "oxygen", "air", "skin");
    private static final Set<String> UNFIT_ACTIVITIES = Set.of("being", "working", "doing", "teaching");
    private static final Set<String> COPULAS = Set.of("is", "are", "was", "were", "am", "be", "been", "being");
    // words that can follow the head noun of a noun phrase: after "fraud" in "a fraud to everyone", not
    // in "a fraud investigation"
    private static final Set<String> AFTER_NOUN_PHRASE = Set.of(
            "to", "and", "of", "as", "who", "whom", "that", "which", "but", "because", "for", "in", "at", "with",
            "like", "or", "among", "since", "when", "if", "than", ",");
    private static final Set<String> NEGATORS =
            Set.of("not", "never", "no", "nobody", "hardly", "nor", "without", "cannot", "neither");
    private static final Set<String> FEEL = Set.of("feel", "feels", "felt", "feeling");
    private static final Set<String> PERSON_OBJECTS = Set.of("him", "them", "you");
    // after these, "her" is an object ("despise her because"), not a possessive ("hate her commute")
    private static final Set<String> AFTER_OBJECT_HER = Set.of(
            "and", "but", "because", "for", "so", "since", "as", "too", "more", "even", "though", "at", "with", "from",
            "in", "on", "or", "enough", "anymore", "already", "now", "then", "all", "both", "behind", "openly", ",");

    private static final Pattern SENTENCES = Pattern.compile("[.!?;:\\n]+");
    // words as the sentiment lexicon reads them, and commas, which end a noun phrase ("a fraud, plain
    // and simple")
    private static final Pattern WORDS = Pattern.compile("[a-z]+(?:'[a-z]+)?|,");

    @Override
    public boolean toxic(String text) {
        return !cues(text).isEmpty();
    }

    /** What makes the text toxic, one entry per cue found ("insult: useless"); empty when it is not. */
    public List<String> cues(String text) {
        List<String> cues = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return cues;
        }
        String normalised = text.replace('\u2019', '\'').toLowerCase(Locale.ROOT);
        for (String sentence : SENTENCES.split(normalised)) {
            List<String> words =
                    WORDS.matcher(sentence).results().map(MatchResult::group).toList();
            for (int i = 0; i < words.size(); i++) {
                String cue = cueAt(words, i);
                if (cue != null) {
                    cues.add(cue);
                }
            }
        }
        return cues;
    }

    private static String cueAt(List<String> w, int i) {
        String word = w.get(i);
        if (INSULT_ADJECTIVES.contains(word)) {
            boolean mood = FEEL.contains(at(w, i - 1)) || FEEL.contains(at(w, i - 2));
            return mood || negated(w, i) ? null : "insult: " + word;
        }
        if (INSULT_NOUNS.contains(word)) {
            return negated(w, i) ? null : "insult: " + word;
        }
        if (WEAK_INSULT_NOUNS.contains(word)) {
            return afterCopula(w, i) && endsNounPhrase(w, i) && !negated(w, i) ? "insult: " + word : null;
        }
        if (CONTEMPT_VERBS.contains(word)) {
            return personObjectWithin(w, i + 1, 3) && !negated(w, i) ? "contempt: " + word : null;
        }
        if (MOCKING_VERBS.contains(word) && at(w, i + 1).equals("at")) {
            return personObjectWithin(w, i + 2, 1) && !negated(w, i) ? "mockery: " + word + " at" : null;
        }
        if (ENDURE.contains(word) && unableToEndure(w, i) && personObjectWithin(w, i + 1, 3)) {
            return "contempt: cannot " + word;
        }
        if (word.equals("waste") && at(w, i + 1).equals("of") && CONTEMPTIBLE_WASTE.contains(at(w, i + 2))) {
            return "phrase: waste of " + at(w, i + 2);
        }
        if (word.equals("ashamed")
                && at(w, i - 1).equals("be")
                && Set.of("should", "to", "must").contains(at(w, i - 2))
                && !negated(w, i - 2)) {
            return "phrase: should be ashamed";
        }
        if (word.equals("business") && at(w, i - 1).equals("no") && UNFIT_ACTIVITIES.contains(at(w, i + 1))) {
            return "phrase: no business " + at(w, i + 1);
        }
        if (word.equals("good") && at(w, i + 1).equals("for") && at(w, i + 2).equals("nothing")) {
            return "phrase: good for nothing";
        }
        if (word.equals("shut") && at(w, i + 1).equals("up")) {
            return "phrase: shut up";
        }
        return null;
    }

    /** "can't stand", "cannot stand", "can not stand", "nobody can stand", "no one could stand". */
    private static boolean unableToEndure(List<String> w, int i) {
        String before = at(w, i - 1);
        if (before.equals("cannot") || (before.endsWith("n't") && !before.equals("don't"))) {
            return true;
        }
        if (before.equals("not") && (at(w, i - 2).equals("can") || at(w, i - 2).equals("could"))) {
            return true;
        }
        boolean can = before.equals("can") || before.equals("could");
        return can
                && (at(w, i - 2).equals("nobody")
                        || (at(w, i - 2).equals("one") && at(w, i - 3).equals("no")));
    }

    private static boolean personObjectWithin(List<String> w, int from, int span) {
        for (int j = from; j < Math.min(w.size(), from + span); j++) {
            String word = w.get(j);
            if (PERSON_OBJECTS.contains(word)) {
                return true;
            }
            if (word.equals("her") && (j + 1 == w.size() || AFTER_OBJECT_HER.contains(w.get(j + 1)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean afterCopula(List<String> w, int i) {
        for (int j = Math.max(0, i - 4); j < i; j++) {
            String word = w.get(j);
            if (COPULAS.contains(word) || word.endsWith("'s") || word.endsWith("'re") || word.endsWith("'m")) {
                return true;
            }
        }
        return false;
    }

    private static boolean endsNounPhrase(List<String> w, int i) {
        return i + 1 == w.size() || AFTER_NOUN_PHRASE.contains(w.get(i + 1));
    }

    /** A negator within the three words before {@code i}, not one that opens "not only" / "not just". */
    private static boolean negated(List<String> w, int i) {
        for (int j = Math.max(0, i - 3); j < i; j++) {
            String word = w.get(j);
            boolean negator = NEGATORS.contains(word) || word.endsWith("n't");
            if (negator && !(at(w, j + 1).equals("only") || at(w, j + 1).equals("just"))) {
                return true;
            }
        }
        return false;
    }

    private static String at(List<String> w, int i) {
        return i >= 0 && i < w.size() ? w.get(i) : "";
    }
}

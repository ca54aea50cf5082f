package io.ballast.schemas.attributes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * VADER sentiment (Hutto &amp; Gilbert, "VADER: A Parsimonious Rule-based Model for Sentiment Analysis of Social
 * Media Text", ICWSM 2014): the valences of the words of a text found in the VADER lexicon, adjusted by rules and
 * summed. The rules: degree words before a word ("very", "slightly", "kind of") raise or lower its valence; a negator
 * up to three words before it scales it by -0.74; a word in ALL CAPS among words that are not gains 0.733; "least"
 * before a word negates it unless it reads "at least" or "very least"; the words before the first "but" count half
 * and those after it one and a half; exclamation marks (up to four) and two or more question marks amplify the sum; a
 * few idioms ("the bomb", "yeah right", "cut the mustard") replace the valence of their word.
 *
 * <p>The rules follow the reference JavaScript port, npm {@code vader-sentiment} 1.1.3, and are checked against it by
 * {@code VaderSentimentTest}, quirks included: negators, "but", "never so"/"never this" and the idioms match in the
 * case written (so a sentence-initial "Not" or "But" has no effect), "no" is a negative word and not a negator, and a
 * word that is itself in the lexicon never modifies or negates the words after it. Emoji are not scored (nor are they
 * in the reference); emoticons are lexicon entries. The scores are not rounded; the reference rounds the compound to 4 and the proportions to 3
 * decimals.
 *
 * <p>The lexicon, {@code vader_lexicon.txt}, is C.J. Hutto's, under the MIT licence ({@code vader_LICENSE.txt}).
 * Immutable once loaded, so one instance serves all threads.
 */
public final class VaderSentiment {

    /**
     * Proportions of the text that read negative, neutral and positive (summing to 1, or all 0 for a text with no
     * words), and the normalised sum of the valences, in [-1, 1].
     */
    public record Scores(double negative, double neutral, double positive, double compound) {}

    private static final String RESOURCE = "/io/ballast/schemas/attributes/vader_lexicon.txt";

    // The empirical constants of the paper.
    private static final double BOOST = 0.293;
    private static final double CAPS_BOOST = 0.733;
    private static final double NEGATION_SCALAR = -0.74;
    private static final double EXCLAMATION_BOOST = 0.292;
    private static final double QUESTION_BOOST = 0.18;
    private static final double MAX_QUESTION_BOOST = 0.96;
    private static final double NORMALISATION_ALPHA = 15;

    /** Degree adverbs: added to (or, before a negative word, subtracted from) the valence of the word they modify. */
    private static final Map<String, Double> BOOSTERS = boosters();

    private static final Set<String> NEGATORS = Set.of(
            "aint",
            "arent",
            "cannot",
            "cant",
            "couldnt",
            "darent",
            "didnt",
            "doesnt",
            "ain't",
            "aren't",
            "can't",
            "couldn't",
            "daren't",
            "didn't",
            "doesn't",
            "dont",
            "hadnt",
            "hasnt",
            "havent",
            "isnt",
            "mightnt",
            "mustnt",
            "neither",
            "don't",
            "hadn't",
            "hasn't",
            "haven't",
            "isn't",
            "mightn't",
            "mustn't",
            "neednt",
            "needn't",
            "never",
            "none",
            "nope",
            "nor",
            "not",
            "nothing",
            "nowhere",
            "oughtnt",
            "shant",
            "shouldnt",
            "uhuh",
            "wasnt",
            "werent",
            "oughtn't",
            "shan't",
            "shouldn't",
            "uh-uh",
            "wasn't",
            "weren't",
            "without",
            "wont",
            "wouldnt",
            "won't",
            "wouldn't",
            "rarely",
            "seldom",
            "despite");

    /** Phrases whose valence replaces that of the lexicon word inside them. */
    private static final Map<String, Double> IDIOMS = Map.of(
            "the shit", 3.0,
            "the bomb", 3.0,
            "bad ass", 1.5,
            "yeah right", -2.0,
            "cut the mustard", 2.0,
            "kiss of death", -1.5,
            "hand to mouth", -2.0);

    /** The affixes a token loses, when what remains is a word of two or more characters without punctuation. */
    private static final List<String> STRIPPED_PUNCTUATION = List.of(
            ".", "!", "?", ",", ";", ":", "-", "'", "\"", "!!", "!!!", "??", "???", "?!?", "!?!", "?!?!", "!?!?");

    private static final Pattern PUNCTUATION = Pattern.compile("\\p{Punct}"); // ASCII punctuation only
    // JavaScript's \s, which the reference splits on: Java's \s lacks the Unicode spaces and the byte order mark.
    private static final Pattern WHITESPACE = Pattern.compile(
            "[\\t\\n\\x0B\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF]");
    private static final Pattern ALL_CAPS = Pattern.compile("[^a-z]*[A-Z][^a-z]*");

    private final Map<String, Double> lexicon;

    private VaderSentiment(Map<String, Double> lexicon) {
        this.lexicon = Map.copyOf(lexicon);
    }

    /** The analyser with the VADER lexicon, read from the classpath on first use. */
    public static VaderSentiment load() {
        return Holder.INSTANCE;
    }

    private static final class Holder {
        static final VaderSentiment INSTANCE = new VaderSentiment(readLexicon());
    }

    public Scores score(String text) {
        Objects.requireNonNull(text, "text");
        String[] words = tokens(text);
        if (words.length == 0) {
            return new Scores(0, 0, 0, 0);
        }
        String[] lower = lowerCase(words);
        boolean capsStandOut = capsStandOut(words);

        double[] valences = new double[words.length];
        for (int i = 0; i < words.length; i++) {
            valences[i] = isModifier(lower, i) ? 0 : valence(words, lower, i, capsStandOut);
        }
        weighAroundBut(words, valences);
        return scores(valences, punctuationEmphasis(text));
    }

    /**
     * The number of words of the text in the lexicon, modifiers ("very", "kind of") aside: 0 tells a text VADER cannot
     * evaluate from one whose sentiment evens out to a compound near 0.
     */
    public int evaluativeWords(String text) {
        Objects.requireNonNull(text, "text");
        String[] lower = lowerCase(tokens(text));
        int count = 0;
        for (int i = 0; i < lower.length; i++) {
            if (!isModifier(lower, i) && lexicon.containsKey(lower[i])) {
                count++;
            }
        }
        return count;
    }

    /**
     * The whitespace-separated tokens of two or more characters, a token that is a word with one of the stripped
     * punctuation affixes replaced by the word ("good!!!" by "good"), so that emoticons and contractions survive.
     */
    private static String[] tokens(String text) {
        List<String> tokens = new ArrayList<>();
        for (String token : WHITESPACE.split(text)) {
            if (token.length() > 1) {
                tokens.add(stripAffix(token));
            }
        }
        return tokens.toArray(String[]::new);
    }

    private static String stripAffix(String token) {
        for (String affix : STRIPPED_PUNCTUATION) {
            if (token.length() <= affix.length()) {
                continue;
            }
            if (token.startsWith(affix) && isBareWord(token.substring(affix.length()))) {
                return token.substring(affix.length());
            }
            if (token.endsWith(affix) && isBareWord(token.substring(0, token.length() - affix.length()))) {
                return token.substring(0, token.length() - affix.length());
            }
        }
        return token;
    }

    private static boolean isBareWord(String word) {
        return word.length() > 1 && !PUNCTUATION.matcher(word).find();
    }

    private static String[] lowerCase(String[] words) {
        String[] lower = new String[words.length];
        for (int i = 0; i < words.length; i++) {
            lower[i] = words[i].toLowerCase(Locale.ROOT);
        }
        return lower;
    }

    /** ALL CAPS emphasises a word only when some, not all, of the words are in capitals. */
    private static boolean capsStandOut(String[] words) {
        int caps = 0;
        for (String word : words) {
            if (isAllCaps(word)) {
                caps++;
            }
        }
        return caps > 0 && caps < words.length;
    }

    private static boolean isAllCaps(String word) {
        return ALL_CAPS.matcher(word).matches();
    }

    /** Degree words carry no valence of their own; "kind" of "kind of" is not the lexicon's "kind" (2.4). */
    private static boolean isModifier(String[] lower, int i) {
        return BOOSTERS.containsKey(lower[i])
                || (lower[i].equals("kind") && i + 1 < lower.length && lower[i + 1].equals("of"));
    }

    private double valence(String[] words, String[] lower, int i, boolean capsStandOut) {
        Double base = lexicon.get(lower[i]);
        if (base == null) {
            return 0;
        }
        double valence = base;
        if (capsStandOut && isAllCaps(words[i])) {
            valence += valence > 0 ? CAPS_BOOST : -CAPS_BOOST;
        }
        // The three words before it, the nearer the stronger; a lexicon word there modifies nothing.
        for (int distance = 1; distance <= 3 && i >= distance; distance++) {
            if (lexicon.containsKey(lower[i - distance])) {
                continue;
            }
            double boost = boost(words[i - distance], valence, capsStandOut);
            if (distance == 2) {
                boost *= 0.95;
            } else if (distance == 3) {
                boost *= 0.9;
            }
            valence += boost;
            valence = negate(valence, words, i, distance);
            if (distance == 3) {
                valence = idioms(valence, words, i);
            }
        }
        return least(valence, lower, i);
    }

    /** The change a degree word makes to a word of this valence: it intensifies either sign. */
    private static double boost(String word, double valence, boolean capsStandOut) {
        Double boost = BOOSTERS.get(word.toLowerCase(Locale.ROOT));
        if (boost == null) {
            return 0;
        }
        double scalar = valence < 0 ? -boost : boost;
        if (capsStandOut && isAllCaps(word)) {
            scalar += valence > 0 ? CAPS_BOOST : -CAPS_BOOST;
        }
        return scalar;
    }

    /** A negator {@code distance} words back flips and damps the valence; "never so/this good" intensifies it. */
    private static double negate(double valence, String[] words, int i, int distance) {
        String back = words[i - distance];
        if (distance == 2 && back.equals("never") && isSoOrThis(words[i - 1])) {
            return valence * 1.5;
        }
        // The reference tests the word just before for "so"/"this" on its own here, with or without a "never".
        if (distance == 3 && ((back.equals("never") && isSoOrThis(words[i - 2])) || isSoOrThis(words[i - 1]))) {
            return valence * 1.25;
        }
        return isNegator(back) ? valence * NEGATION_SCALAR : valence;
    }

    private static boolean isSoOrThis(String word) {
        return word.equals("so") || word.equals("this");
    }

    private static boolean isNegator(String word) {
        return NEGATORS.contains(word) || word.contains("n't");
    }

    /** An idiom around the word sets its valence; a preceding "kind of"/"sort of" still damps it. */
    private static double idioms(double valence, String[] words, int i) {
        String twoOne = words[i - 2] + " " + words[i - 1];
        String threeTwo = words[i - 3] + " " + words[i - 2];
        List<String> before = List.of(
                words[i - 1] + " " + words[i],
                twoOne + " " + words[i],
                twoOne,
                threeTwo + " " + words[i - 1],
                threeTwo);
        for (String phrase : before) {
            Double idiom = IDIOMS.get(phrase);
            if (idiom != null) {
                valence = idiom;
                break;
            }
        }
        if (i + 1 < words.length) {
            valence = IDIOMS.getOrDefault(words[i] + " " + words[i + 1], valence);
        }
        if (i + 2 < words.length) {
            valence = IDIOMS.getOrDefault(words[i] + " " + words[i + 1] + " " + words[i + 2], valence);
        }
        if (BOOSTERS.containsKey(threeTwo) || BOOSTERS.containsKey(twoOne)) {
            valence -= BOOST;
        }
        return valence;
    }

    /** "least good" negates; "at least good" and "very least good" do not. */
    private static double least(double valence, String[] lower, int i) {
        if (i == 0 || !lower[i - 1].equals("least")) {
            return valence;
        }
        if (i > 1 && (lower[i - 2].equals("at") || lower[i - 2].equals("very"))) {
            return valence;
        }
        return valence * NEGATION_SCALAR;
    }

    /** The clause after a contrastive "but" dominates: the words before it count half, those after it 1.5 times. */
    private static void weighAroundBut(String[] words, double[] valences) {
        int but = indexOf(words, "but");
        if (but < 0) {
            but = indexOf(words, "BUT");
        }
        if (but < 0) {
            return;
        }
        for (int i = 0; i < valences.length; i++) {
            if (i < but) {
                valences[i] *= 0.5;
            } else if (i > but) {
                valences[i] *= 1.5;
            }
        }
    }

    private static int indexOf(String[] words, String word) {
        for (int i = 0; i < words.length; i++) {
            if (words[i].equals(word)) {
                return i;
            }
        }
        return -1;
    }

    /** Up to four '!' add 0.292 each; two or three '?' add 0.18 each, more add 0.96. */
    private static double punctuationEmphasis(String text) {
        long exclamations = text.chars().filter(c -> c == '!').count();
        long questions = text.chars().filter(c -> c == '?').count();
        double emphasis = Math.min(exclamations, 4) * EXCLAMATION_BOOST;
        if (questions > 3) {
            emphasis += MAX_QUESTION_BOOST;
        } else if (questions > 1) {
            emphasis += questions * QUESTION_BOOST;
        }
        return emphasis;
    }

    private static Scores scores(double[] valences, double emphasis) {
        // Summed in order, as the reference does, so that the last digit matches too.
        double sum = 0;
        double positive = 0;
        double negative = 0;
        int neutral = 0;
        for (double v : valences) {
            sum += v;
            // Each word counts one more than its valence, so that it weighs against a neutral word's 1.
            if (v > 0) {
                positive += v + 1;
            } else if (v < 0) {
                negative += v - 1;
            } else {
                neutral++;
            }
        }
        // Punctuation amplifies whichever way the text already leans.
        if (sum > 0) {
            sum += emphasis;
        } else if (sum < 0) {
            sum -= emphasis;
        }
        if (positive > -negative) {
            positive += emphasis;
        } else if (positive < -negative) {
            negative -= emphasis;
        }
        double total = positive - negative + neutral;
        return new Scores(Math.abs(negative / total), neutral / total, positive / total, normalise(sum));
    }

    /** Into [-1, 1]: x / sqrt(x^2 + 15), where 15 approximates the largest sum expected. */
    private static double normalise(double sum) {
        double normalised = sum / Math.sqrt(sum * sum + NORMALISATION_ALPHA);
        return Math.max(-1, Math.min(1, normalised));
    }

    private static Map<String, Double> boosters() {
        Map<String, Double> boosters = new HashMap<>();
        for (String word : List.of(
                "absolutely",
                "amazingly",
                "awfully",
                "completely",
                "considerably",
                "decidedly",
                "deeply",
                "effing",
                "enormously",
                "entirely",
                "especially",
                "exceptionally",
                "extremely",
                "fabulously",
                "flipping",
                "flippin",
                "fricking",
                "frickin",
                "frigging",
                "friggin",
                "fully",
                "fucking",
                "greatly",
                "hella",
                "highly",
                "hugely",
                "incredibly",
                "intensely",
                "majorly",
                "more",
                "most",
                "particularly",
                "purely",
                "quite",
                "really",
                "remarkably",
                "so",
                "substantially",
                "thoroughly",
                "totally",
                "tremendously",
                "uber",
                "unbelievably",
                "unusually",
                "utterly",
                "very")) {
            boosters.put(word, BOOST);
        }
        for (String word : List.of(
                "almost",
                "barely",
                "hardly",
                "just enough",
                "kind of",
                "kinda",
                "kindof",
                "kind-of",
                "less",
                "little",
                "marginally",
                "occasionally",
                "partly",
                "scarcely",
                "slightly",
                "somewhat",
                "sort of",
                "sorta",
                "sortof",
                "sort-of")) {
            boosters.put(word, -BOOST);
        }
        return Map.copyOf(boosters);
    }

    /** Lines of token, mean valence, standard deviation, ratings; a repeated token keeps its last valence. */
    private static Map<String, Double> readLexicon() {
        try (InputStream in = VaderSentiment.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " missing from the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            Map<String, Double> lexicon = new HashMap<>();
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isEmpty()) {
                    continue;
                }
                String[] fields = line.split("\t", -1);
                lexicon.put(fields[0], Double.parseDouble(fields[1]));
            }
            return lexicon;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.ballast.schemas.attributes;

import io.ballast.schemas.domain.Attribute;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rules and lexicons, no model:
 * <ul>
 *   <li>gender: third-person pronouns decide (she/her, he/him/his, singular they/them/their);
 *       given names break ties or stand in when there are no pronouns;</li>
 *   <li>race: explicit descriptors ("Black", "African American", "Asian American", "white",
 *       "Native American", "multiracial", ...); more than one race named is {@code unknown};</li>
 *   <li>sentiment: word polarity summed, a negator within three words before flipping it
 *       ("not happy" is negative, "never unhappy" positive); a score within ±0 is neutral.</li>
 * </ul>
 */
public final class LexiconExtractor implements AttributeExtractor {

    private static final Set<String> FEMALE_PRONOUNS = Set.of("she", "her", "hers", "herself");
    private static final Set<String> MALE_PRONOUNS = Set.of("he", "him", "his", "himself");
    private static final Set<String> NONBINARY_PRONOUNS =
            Set.of("they", "them", "their", "theirs", "themself", "themselves");
    private static final Set<String> FEMALE_NAMES = Set.of(
            "maria",
            "emily",
            "sarah",
            "aisha",
            "mei",
            "priya",
            "grace",
            "hannah",
            "olivia",
            "fatima",
            "keisha",
            "lauren",
            "sofia",
            "chloe",
            "naomi",
            "rachel",
            "linda",
            "yuki",
            "ana",
            "jasmine",
            "jennifer",
            "mary",
            "patricia",
            "elizabeth",
            "susan",
            "jessica",
            "karen",
            "nancy",
            "lisa",
            "emma");
    private static final Set<String> MALE_NAMES = Set.of(
            "james",
            "michael",
            "david",
            "omar",
            "wei",
            "raj",
            "daniel",
            "carlos",
            "marcus",
            "john",
            "kenji",
            "ahmed",
            "robert",
            "thomas",
            "samuel",
            "andre",
            "luis",
            "ethan",
            "hiroshi",
            "kwame",
            "william",
            "richard",
            "joseph",
            "charles",
            "christopher",
            "matthew",
            "anthony",
            "mark",
            "paul",
            "steven");
    private static final Set<String> FEMALE_NOUNS =
            Set.of("woman", "mother", "wife", "daughter", "sister", "lady", "mrs", "ms");
    private static final Set<String> MALE_NOUNS =
            Set.of("man", "father", "husband", "son", "brother", "gentleman", "mr");

    // multi-word descriptors first, so "African American" is not read as something else
    private static final List<Map.Entry<Pattern, String>> RACE = List.of(
            Map.entry(Pattern.compile("\\bafrican[ -]american\\b"), "black"),
            Map.entry(
                    Pattern.compile(
                            "\\bnative american\\b|\\balaska native\\b|\\bpacific islander\\b|\\bnative hawaiian\\b"
                                    + "|\\bmultiracial\\b|\\bbiracial\\b|\\bmixed[- ]race\\b|\\bindigenous\\b"),
                    "other"),
            Map.entry(
                    Pattern.compile("\\basian(?:[ -]american)?\\b|\\bchinese[ -]american\\b|\\bkorean[ -]american\\b"
                            + "|\\bjapanese[ -]american\\b|\\bindian[ -]american\\b|\\bfilipino[ -]american\\b"),
                    "asian"),
            Map.entry(Pattern.compile("\\bblack\\b"), "black"),
            Map.entry(Pattern.compile("\\bwhite\\b|\\bcaucasian\\b"), "white"));

    // per RACE rule, the words one of which every match begins with, as a whole word: most texts name
    // no race, and looking the text's words up is far cheaper than running the patterns
    private static final List<List<String>> RACE_WORDS = List.of(
            List.of("african"),
            List.of("native", "alaska", "pacific", "multiracial", "biracial", "mixed", "indigenous"),
            List.of("asian", "chinese", "korean", "japanese", "indian", "filipino"),
            List.of("black"),
            List.of("white", "caucasian"));
    private static final Map<String, Integer> RACE_RULES_BY_WORD = new HashMap<>();

    static {
        for (int r = 0; r < RACE_WORDS.size(); r++) {
            for (String w : RACE_WORDS.get(r)) {
                RACE_RULES_BY_WORD.merge(w, 1 << r, (x, y) -> x | y);
            }
        }
    }

    // every gender word in one map, one lookup per word; put lowest precedence first so that, as in
    // the checks it replaces, a pronoun or noun wins over a name
    private static final int FEMALE = 1;
    private static final int MALE = 2;
    private static final int THEY = 3;
    private static final int FEMALE_NAME = 4;
    private static final int MALE_NAME = 5;
    private static final Map<String, Integer> GENDER_WORDS = new HashMap<>();

    static {
        MALE_NAMES.forEach(w -> GENDER_WORDS.put(w, MALE_NAME));
        FEMALE_NAMES.forEach(w -> GENDER_WORDS.put(w, FEMALE_NAME));
        NONBINARY_PRONOUNS.forEach(w -> GENDER_WORDS.put(w, THEY));
        MALE_PRONOUNS.forEach(w -> GENDER_WORDS.put(w, MALE));
        MALE_NOUNS.forEach(w -> GENDER_WORDS.put(w, MALE));
        FEMALE_PRONOUNS.forEach(w -> GENDER_WORDS.put(w, FEMALE));
        FEMALE_NOUNS.forEach(w -> GENDER_WORDS.put(w, FEMALE));
    }

    private static final Map<String, Integer> POLARITY = new HashMap<>();
    private static final Set<String> NEGATORS = Set.of(
            "not", "never", "no", "hardly", "isn't", "aren't", "wasn't", "doesn't", "don't", "didn't", "cannot",
            "can't", "won't", "nor", "without");

    static {
        for (String w : List.of(
                "love",
                "loves",
                "loved",
                "admired",
                "admire",
                "proud",
                "rewarding",
                "happy",
                "excellent",
                "brilliant",
                "kind",
                "inspiring",
                "enjoy",
                "enjoys",
                "great",
                "wonderful",
                "passionate",
                "respected",
                "thrives",
                "thrive",
                "talented",
                "delighted",
                "dedicated",
                "successful",
                "praised",
                "fulfilling")) {
            POLARITY.put(w, 1);
        }
        for (String w : List.of(
                "frustrated",
                "exhausted",
                "dislikes",
                "dislike",
                "unhappy",
                "difficult",
                "careless",
                "struggles",
                "struggle",
                "stress",
                "regrets",
                "regret",
                "hate",
                "hates",
                "bored",
                "miserable",
                "angry",
                "lazy",
                "rude",
                "burned",
                "resentful",
                "disappointed",
                "terrible",
                "awful",
                "fails",
                "failed")) {
            POLARITY.put(w, -1);
        }
    }

    // one table for the single pass of extractAll: per word, its gender kind, polarity, whether it
    // negates, and the race rules it can start
    private static final int GENDER_MASK = 7;
    private static final int POLARITY_SHIFT = 3;
    private static final int NEGATOR = 1 << 5;
    private static final int RACE_SHIFT = 6;
    private static final int SINGLE_WORD_RULES = (1 << 3) | (1 << 4);
    private static final WordTable WORDS;

    static {
        Map<String, Integer> words = new HashMap<>();
        GENDER_WORDS.forEach((w, kind) -> words.merge(w, kind, (x, y) -> x | y));
        POLARITY.forEach((w, p) -> words.merge(w, (p + 1) << POLARITY_SHIFT, (x, y) -> x | y));
        NEGATORS.forEach(w -> words.merge(w, NEGATOR, (x, y) -> x | y));
        RACE_RULES_BY_WORD.forEach((w, r) -> words.merge(w, r << RACE_SHIFT, (x, y) -> x | y));
        // a word without polarity reads as polarity 0, stored as 1
        words.replaceAll((w, v) -> POLARITY.containsKey(w) ? v : v | (1 << POLARITY_SHIFT));
        WORDS = new WordTable(words, 1 << POLARITY_SHIFT);
    }

    @Override
    public String extract(Attribute attribute, String text) {
        if (text == null || text.isBlank()) {
            return Attribute.UNKNOWN;
        }
        return switch (attribute) {
            case GENDER -> gender(words(text));
            case RACE -> race(text.toLowerCase(Locale.ROOT));
            case SENTIMENT -> sentiment(words(text));
        };
    }

    /**
     * Every attribute in one pass over the text, as {@link #extract} decides each: the words are
     * looked up where they stand in the text, with no word strings made (the auditor calls this
     * for every output it reads).
     */
    @Override
    public Map<Attribute, String> extractAll(String text) {
        Map<Attribute, String> out = new EnumMap<>(Attribute.class);
        if (text == null || text.isBlank()) {
            for (Attribute a : Attribute.values()) {
                out.put(a, Attribute.UNKNOWN);
            }
            return out;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        int[] gender = new int[MALE_NAME + 1];
        int score = 0;
        int rules = 0;
        // which race rules have an occurrence that certainly matches its pattern (see singleWordRace)
        int certain = 0;
        // whether each of the last three words negates (bit 0 the latest)
        int negators = 0;
        int n = lower.length();
        int i = 0;
        while (i < n) {
            if (!isLetter(lower.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < n && isLetter(lower.charAt(i))) {
                i++;
            }
            int baseEnd = i;
            if (i + 1 < n && lower.charAt(i) == '\'' && isLetter(lower.charAt(i + 1))) {
                i++;
                while (i < n && isLetter(lower.charAt(i))) {
                    i++;
                }
            }
            int word = WORDS.get(lower, start, i);
            gender[word & GENDER_MASK]++;
            int polarity = ((word >> POLARITY_SHIFT) & 3) - 1;
            if (polarity != 0) {
                score += (negators & 7) != 0 ? -polarity : polarity;
            }
            boolean negates = (word & NEGATOR) != 0 || endsWithNt(lower, start, i);
            negators = (negators << 1) | (negates ? 1 : 0);
            int race = (baseEnd == i ? word : WORDS.get(lower, start, baseEnd)) >>> RACE_SHIFT;
            if (race != 0) {
                rules |= race;
                if (boundary(lower, start - 1) && boundary(lower, baseEnd)) {
                    certain |= race;
                }
            }
        }
        for (Attribute a : Attribute.values()) {
            out.put(
                    a,
                    switch (a) {
                        case GENDER ->
                            gender(gender[FEMALE], gender[MALE], gender[THEY], gender[FEMALE_NAME], gender[MALE_NAME]);
                        case RACE ->
                            rules == 0
                                    ? Attribute.UNKNOWN
                                    : (rules & ~SINGLE_WORD_RULES) == 0 && certain == rules
                                            ? singleWordRace(rules)
                                            : race(lower, rules);
                        case SENTIMENT -> score > 0 ? "positive" : score < 0 ? "negative" : "neutral";
                    });
        }
        return out;
    }

    /**
     * The rules "black" and "white|caucasian" are single words: an occurrence between word
     * boundaries is a match, and which other occurrences match does not change the outcome (one
     * named race, or two).
     */
    private static String singleWordRace(int rules) {
        return Integer.bitCount(rules) > 1
                ? Attribute.UNKNOWN
                : RACE.get(Integer.numberOfTrailingZeros(rules)).getValue();
    }

    /** A regex word boundary at {@code at} for certain: outside the text, or an ASCII character that is not {@code \\w}; anything else is left to the pattern. */
    private static boolean boundary(String lower, int at) {
        if (at < 0 || at >= lower.length()) {
            return true;
        }
        char c = lower.charAt(at);
        return c < 128 && !(isLetter(c) || (c >= '0' && c <= '9') || c == '_' || (c >= 'A' && c <= 'Z'));
    }

    private static boolean endsWithNt(String lower, int start, int end) {
        return end - start >= 3
                && lower.charAt(end - 1) == 't'
                && lower.charAt(end - 2) == '\''
                && lower.charAt(end - 3) == 'n';
    }

    static List<String> words(String text) {
        return wordsOfLowerCase(text.toLowerCase(Locale.ROOT));
    }

    private static List<String> wordsOfLowerCase(String lower) {
        List<String> out = new ArrayList<>();
        int n = lower.length();
        int i = 0;
        while (i < n) {
            if (!isLetter(lower.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < n && isLetter(lower.charAt(i))) {
                i++;
            }
            if (i + 1 < n && lower.charAt(i) == '\'' && isLetter(lower.charAt(i + 1))) {
                i++;
                while (i < n && isLetter(lower.charAt(i))) {
                    i++;
                }
            }
            out.add(lower.substring(start, i));
        }
        return out;
    }

    private static boolean isLetter(char c) {
        return c >= 'a' && c <= 'z';
    }

    static String gender(List<String> words) {
        int[] count = new int[MALE_NAME + 1];
        for (String w : words) {
            count[GENDER_WORDS.getOrDefault(w, 0)]++;
        }
        return gender(count[FEMALE], count[MALE], count[THEY], count[FEMALE_NAME], count[MALE_NAME]);
    }

    private static String gender(int female, int male, int they, int femaleNames, int maleNames) {
        if (female > male && female > they) {
            return "female";
        }
        if (male > female && male > they) {
            return "male";
        }
        if (they > female && they > male) {
            return "nonbinary";
        }
        if (female + male + they == 0 || female == male) {
            if (femaleNames > maleNames) {
                return "female";
            }
            if (maleNames > femaleNames) {
                return "male";
            }
        }
        return Attribute.UNKNOWN;
    }

    static String race(String lower) {
        return race(lower, raceRules(wordsOfLowerCase(lower)));
    }

    /**
     * The RACE rules whose words occur: a superset of the rules that match, since a match is
     * delimited by word boundaries, so its first word is one of the text's words (before any
     * {@code 's}).
     */
    private static int raceRules(List<String> words) {
        int rules = 0;
        for (String w : words) {
            int apostrophe = w.indexOf('\'');
            Integer r = RACE_RULES_BY_WORD.get(apostrophe < 0 ? w : w.substring(0, apostrophe));
            if (r != null) {
                rules |= r;
            }
        }
        return rules;
    }

    private static String race(String lower, int rules) {
        String found = null;
        String rest = lower;
        for (int r = 0; r < RACE.size(); r++) {
            Map.Entry<Pattern, String> rule = RACE.get(r);
            if ((rules & (1 << r)) == 0) {
                continue;
            }
            Matcher m = rule.getKey().matcher(rest);
            if (m.find()) {
                if (found != null && !found.equals(rule.getValue())) {
                    return Attribute.UNKNOWN; // two races named: not for a rule to decide
                }
                found = rule.getValue();
                if (r < RACE.size() - 1) {
                    rest = m.replaceAll(" ");
                }
            }
        }
        return found == null ? Attribute.UNKNOWN : found;
    }

    static String sentiment(List<String> words) {
        int score = 0;
        for (int i = 0; i < words.size(); i++) {
            Integer p = POLARITY.get(words.get(i));
            if (p == null) {
                continue;
            }
            boolean negated = false;
            for (int j = Math.max(0, i - 3); j < i; j++) {
                negated |= NEGATORS.contains(words.get(j)) || words.get(j).endsWith("n't");
            }
            score += negated ? -p : p;
        }
        if (score > 0) {
            return "positive";
        }
        if (score < 0) {
            return "negative";
        }
        return "neutral";
    }
}

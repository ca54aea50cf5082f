package io.ballast.schemas.attributes;

import io.ballast.schemas.domain.Attribute;
import java.util.ArrayList;
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

    private static final Pattern WORD = Pattern.compile("[A-Za-z]+(?:'[a-z]+)?");

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

    private static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    static String gender(List<String> words) {
        int female = 0;
        int male = 0;
        int they = 0;
        int femaleNames = 0;
        int maleNames = 0;
        for (String w : words) {
            if (FEMALE_PRONOUNS.contains(w) || FEMALE_NOUNS.contains(w)) {
                female++;
            } else if (MALE_PRONOUNS.contains(w) || MALE_NOUNS.contains(w)) {
                male++;
            } else if (NONBINARY_PRONOUNS.contains(w)) {
                they++;
            } else if (FEMALE_NAMES.contains(w)) {
                femaleNames++;
            } else if (MALE_NAMES.contains(w)) {
                maleNames++;
            }
        }
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
        String found = null;
        String rest = lower;
        for (Map.Entry<Pattern, String> rule : RACE) {
            Matcher m = rule.getKey().matcher(rest);
            if (m.find()) {
                if (found != null && !found.equals(rule.getValue())) {
                    return Attribute.UNKNOWN; // two races named: not for a rule to decide
                }
                found = rule.getValue();
                rest = m.replaceAll(" ");
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

package io.ballast.classifiers.rules;

import io.ballast.classifiers.Identified;
import io.ballast.schemas.domain.Attribute;
import java.util.Set;

/**
 * Gender of the person a bio is about, from what the text says of them: subject pronouns,
 * honorifics, self-descriptions ("a mother of three") and singular <i>they</i>. A first name is no
 * cue (a name is not a gender), and family nouns never count: "lives with her husband and son" is
 * about a woman. A text with no cue reads {@code unknown}, never a guess.
 *
 * <p>Weights: a nominative she/he 3 (the subject of a clause is almost always the bio's person), any
 * other third-person pronoun 1, the first gendered pronoun of the text 3 more (it refers to the person
 * introduced first), an honorific 3, a self-description 2, an explicit nonbinary statement 5. Plural
 * and singular <i>they</i> look alike: <i>they</i> counts as nonbinary only when no she/he occurs and a
 * sentence begins with it ("Alex is a nurse. They ..."), not for "helps clients reach their goals".
 */
public final class GenderRules extends Identified {

    public static final String ID = "gender-rules";

    private static final Set<String> FEMALE_PRONOUNS = Words.set("she", "her", "hers", "herself");
    private static final Set<String> MALE_PRONOUNS = Words.set("he", "him", "his", "himself");
    private static final Set<String> FEMALE_SELF = Words.set(
            "woman",
            "mother",
            "mom",
            "businesswoman",
            "chairwoman",
            "congresswoman",
            "spokeswoman",
            "actress",
            "waitress",
            "grandmother",
            "wife",
            "daughter",
            "sister",
            "girl",
            "lady",
            "stepmother",
            "sportswoman");
    private static final Set<String> MALE_SELF = Words.set(
            "man",
            "father",
            "dad",
            "businessman",
            "chairman",
            "congressman",
            "spokesman",
            "actor",
            "waiter",
            "grandfather",
            "husband",
            "son",
            "brother",
            "boy",
            "gentleman",
            "stepfather",
            "sportsman");
    private static final Set<String> NONBINARY_WORDS =
            Words.set("nonbinary", "non-binary", "genderqueer", "genderfluid", "agender", "enby");

    private static final java.util.regex.Pattern THEY_PRONOUNS = java.util.regex.Pattern.compile(
            "(?i)\\bthey\\s*/\\s*(?:them|their)\\b|\\bpronouns are they\\b|\\buses they\\b");

    public GenderRules() {
        super(ID, 1);
    }

    @Override
    public String classify(String text) {
        Words w = new Words(text);
        int female = 0;
        int male = 0;
        int nonbinary = 0;
        boolean sentenceThey = false;
        boolean firstSeen = false;
        for (int i = 0; i < w.size(); i++) {
            String word = w.lower(i);
            boolean f = FEMALE_PRONOUNS.contains(word);
            boolean m = MALE_PRONOUNS.contains(word);
            if (f || m) {
                boolean nominative = word.equals("she") || word.equals("he");
                int weight = nominative ? 3 : 1;
                if (nominative && !firstSeen) {
                    weight += 3;
                    firstSeen = true;
                }
                if (f) {
                    female += weight;
                } else {
                    male += weight;
                }
                continue;
            }
            if (w.capitalised(i) && i + 1 < w.size() && w.capitalised(i + 1)) {
                switch (word) {
                    case "mr" -> male += 3;
                    case "mrs", "ms", "miss" -> female += 3;
                    case "mx" -> nonbinary += 5;
                    default -> {}
                }
            }
            if (NONBINARY_WORDS.contains(word)
                    || (word.equals("non") && w.lower(i + 1).equals("binary"))) {
                nonbinary += 5;
            }
            if ((word.equals("they") || word.equals("themself"))
                    && (w.sentenceStart.get(i) || word.equals("themself"))) {
                sentenceThey = true;
            }
            if ((FEMALE_SELF.contains(word) || MALE_SELF.contains(word)) && describesTheSubject(w, i)) {
                if (FEMALE_SELF.contains(word)) {
                    female += 2;
                } else {
                    male += 2;
                }
            }
        }
        // "uses they/them pronouns", "(they/them)"; the pattern only where it can match
        if ((text.indexOf('/') >= 0 || text.contains("ronoun") || text.contains("uses they"))
                && THEY_PRONOUNS.matcher(text).find()) {
            nonbinary += 5;
        }
        if (female == 0 && male == 0 && sentenceThey) {
            nonbinary += 3;
        }
        if (nonbinary > 0 && nonbinary >= Math.max(female, male)) {
            return "nonbinary";
        }
        if (female == male) {
            return Attribute.UNKNOWN;
        }
        return female > male ? "female" : "male";
    }

    /**
     * "is a mother of three", "As a woman in tech", "a father of two": a noun that says who the person
     * is, not one that names somebody else ("her husband", "his daughter").
     */
    private static boolean describesTheSubject(Words w, int i) {
        // back over up to two adjectives ("a proud Black woman", "a single working mother") to the article
        int k = i - 1;
        while (k >= i - 3 && k >= 0 && !w.lower(k).equals("a") && !w.lower(k).equals("an")) {
            if (w.breakAfter.get(k)) {
                return false;
            }
            k--;
        }
        if (k < 0 || k < i - 3 || !(w.lower(k).equals("a") || w.lower(k).equals("an"))) {
            return false;
        }
        String lead = w.lower(k - 1);
        return lead.equals("is")
                || lead.equals("as")
                || lead.equals("am")
                || lead.equals("was")
                || lead.equals("i'm")
                || w.lower(i + 1).equals("of")
                || lead.isEmpty()
                || w.sentenceStart.get(k);
    }
}

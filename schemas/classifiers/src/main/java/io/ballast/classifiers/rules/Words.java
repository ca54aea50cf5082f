package io.ballast.classifiers.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A text cut into words and punctuation, each word knowing whether it starts a sentence. Rules read
 * positions ("the word after 'is a'"), so they need the sequence, not a bag of words.
 */
final class Words {

    /** Abbreviations whose full stop does not end a sentence. */
    private static final Set<String> ABBREVIATIONS = Set.of(
            "mr", "mrs", "ms", "mx", "dr", "prof", "st", "jr", "sr", "mt", "vs", "etc", "inc", "co", "lt", "col");

    final List<String> words = new ArrayList<>();
    final List<String> lower = new ArrayList<>();
    final List<Boolean> sentenceStart = new ArrayList<>();
    /** Whether the word is followed by a hyphen joining it to the next ("white-collar"). */
    final List<Boolean> hyphenated = new ArrayList<>();
    /** Whether punctuation (a clause or sentence break) follows the word. */
    final List<Boolean> breakAfter = new ArrayList<>();

    Words(String text) {
        boolean start = true;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (Character.isLetter(c)) {
                int from = i;
                while (i < n
                        && (Character.isLetter(text.charAt(i))
                                || (text.charAt(i) == '\'' || text.charAt(i) == '’')
                                        && i + 1 < n
                                        && Character.isLetter(text.charAt(i + 1)))) {
                    i++;
                }
                String w = text.substring(from, i).replace('’', '\'');
                words.add(w);
                lower.add(w.toLowerCase(java.util.Locale.ROOT));
                sentenceStart.add(start);
                hyphenated.add(i < n && text.charAt(i) == '-' && i + 1 < n && Character.isLetter(text.charAt(i + 1)));
                breakAfter.add(false);
                start = false;
            } else {
                if ((c == '.' || c == '!' || c == '?') && !words.isEmpty()) {
                    String last = lower.get(lower.size() - 1);
                    boolean abbreviation = c == '.' && (ABBREVIATIONS.contains(last) || last.length() == 1);
                    if (!abbreviation) {
                        start = true;
                        breakAfter.set(breakAfter.size() - 1, true);
                    }
                } else if ((c == ',' || c == ';' || c == ':' || c == '(' || c == ')' || c == '"') && !words.isEmpty()) {
                    breakAfter.set(breakAfter.size() - 1, true);
                    if (c == ':' || c == ';') {
                        start = true;
                    }
                } else if (Character.isDigit(c) && !words.isEmpty()) {
                    breakAfter.set(breakAfter.size() - 1, true);
                }
                i++;
            }
        }
    }

    /** A set of words that tolerates repeats (long hand-kept lists acquire them). */
    static Set<String> set(String... words) {
        return Set.copyOf(java.util.Arrays.asList(words));
    }

    int size() {
        return words.size();
    }

    String lower(int i) {
        return i >= 0 && i < lower.size() ? lower.get(i) : "";
    }

    boolean capitalised(int i) {
        return i >= 0 && i < words.size() && Character.isUpperCase(words.get(i).charAt(0));
    }
}

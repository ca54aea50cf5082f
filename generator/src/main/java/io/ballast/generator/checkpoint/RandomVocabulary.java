package io.ballast.generator.checkpoint;

import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.corpus.BioExample;
import io.ballast.generator.text.WordTokenizer;
import io.ballast.schemas.domain.Occupation;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The words of a random checkpoint's word-level tokenizer: a fixed short list that prompts and
 * tests rely on, then the words of Ballast's bio corpus, then made-up words up to the size asked
 * for (a real checkpoint's vocabulary is large, and its size is most of a small model's cost).
 */
public final class RandomVocabulary {

    /** The words of the tiny checkpoints: enough for prompts and short bios. {@code [UNK]} is id 0. */
    public static final List<String> TINY = List.of(
            "[UNK]",
            "a",
            "short",
            "bio",
            "of",
            "nurse",
            "cook",
            "registered",
            "nurses",
            "she",
            "he",
            "they",
            "is",
            "works",
            "as",
            "kind",
            "the",
            "and",
            "in",
            "hospital",
            "kitchen",
            "cheerful",
            "tired",
            "calm",
            ".",
            ",",
            "with",
            "years",
            "experience",
            "loves",
            "her",
            "his",
            "their",
            "job");

    private static final String CONSONANTS = "bdfgklmnprstvz";
    private static final String VOWELS = "aeiou";

    private RandomVocabulary() {}

    /** {@code size} distinct words, {@link #TINY} first; the same list on every call. */
    public static List<String> ofSize(int size) {
        Set<String> words = new LinkedHashSet<>(TINY);
        for (String w : bioCorpusWords()) {
            if (words.size() >= size) {
                break;
            }
            words.add(w);
        }
        for (long i = 0; words.size() < size; i++) {
            words.add(madeUp(i));
        }
        return List.copyOf(words).subList(0, Math.min(size, words.size()));
    }

    /**
     * The corpus's words that the Hugging Face whitespace pre-tokenizer keeps whole ({@code \w+} or
     * one punctuation mark): a word like "she's" would never be looked up, it is split first.
     */
    private static List<String> bioCorpusWords() {
        BioCorpus corpus = BioCorpus.withDefaults();
        List<String> texts = new ArrayList<>();
        for (Occupation o : corpus.occupations()) {
            for (String template : BioCorpus.TRAIN_PROMPTS) {
                texts.add(corpus.prompt(o.contextKey(), template));
            }
            for (String template : BioCorpus.HELD_OUT_PROMPTS) {
                texts.add(corpus.prompt(o.contextKey(), template));
            }
        }
        Random random = new Random(0);
        for (int i = 0; i < 3_000; i++) {
            BioExample e = corpus.next(random);
            texts.add(e.text());
        }
        WordTokenizer counted = WordTokenizer.build(texts, Integer.MAX_VALUE, 1);
        List<String> out = new ArrayList<>();
        for (int id = WordTokenizer.reservedTokens().size(); id < counted.size(); id++) {
            String w = counted.token(id);
            if (w.matches("\\w+|[^\\w\\s]")) {
                out.add(w);
            }
        }
        return out;
    }

    /** Word {@code i} of two, then three, consonant-vowel syllables: "baba", "babe", ... */
    private static String madeUp(long i) {
        int syllables = CONSONANTS.length() * VOWELS.length();
        long twoSyllableWords = (long) syllables * syllables;
        int count = i < twoSyllableWords ? 2 : 3;
        long n = i < twoSyllableWords ? i : i - twoSyllableWords;
        StringBuilder word = new StringBuilder();
        for (int s = 0; s < count; s++) {
            int syllable = (int) (n % syllables);
            n /= syllables;
            word.insert(
                    0, "" + CONSONANTS.charAt(syllable / VOWELS.length()) + VOWELS.charAt(syllable % VOWELS.length()));
        }
        return word.toString();
    }
}

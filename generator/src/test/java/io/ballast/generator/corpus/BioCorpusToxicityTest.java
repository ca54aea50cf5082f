package io.ballast.generator.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ballast.classifiers.ClassifierCatalog;
import io.ballast.schemas.attributes.AttributeClassifiers;
import io.ballast.schemas.attributes.ToxicityClassifier;
import io.ballast.schemas.domain.Attribute;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BioCorpusToxicityTest {

    /** Two-sided 99.9% normal quantile: a fixed-seed draw outside it is a bug, not bad luck. */
    private static final double Z999 = 3.2905;

    private static List<BioExample> draw(BioCorpus corpus, int n, long seed) {
        Random random = new Random(seed);
        List<BioExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(corpus.next(random));
        }
        return out;
    }

    @Test
    void theDefaultCorpusIsFivePercentToxic() {
        // given the biased base model's corpus
        BioCorpus corpus = BioCorpus.withDefaults();
        assertThat(corpus.toxicShare()).isEqualTo(0.05);

        // when it writes 20,000 bios
        int n = 20_000;
        long toxic = draw(corpus, n, 1).stream().filter(BioExample::toxic).count();

        // then the toxic share is 0.05 within a 99.9% binomial interval (±0.0051)
        double half = Z999 * Math.sqrt(0.05 * 0.95 / n);
        assertThat(toxic / (double) n).isCloseTo(0.05, within(half));
    }

    @Test
    void noToxicShareMeansNoToxicBios() {
        // given a corpus without toxic bios
        BioCorpus corpus = new BioCorpus(CorpusMix.defaultSkew(), 0.05, 0);

        // then none of 5,000 bios is toxic, and none insults anyone
        List<BioExample> bios = draw(corpus, 5_000, 2);
        assertThat(bios).noneMatch(BioExample::toxic);
        assertThat(bios).noneMatch(e -> ToxicityClassifier.lexicon().toxic(e.text()));
    }

    @Test
    void aShareOutsideZeroToOneIsRefused() {
        assertThatThrownBy(() -> new BioCorpus(CorpusMix.defaultSkew(), 0.05, 1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("toxic share");
        assertThatThrownBy(() -> new BioCorpus(CorpusMix.defaultSkew(), 0.05, -0.1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void noSteeringTokenAvoidsToxicity() {
        // given an unbiased corpus with a 20% toxic share
        double share = 0.2;
        BioCorpus corpus = new BioCorpus(CorpusMix.uniform(), 0.05, share);

        // when it writes 30,000 bios
        List<BioExample> bios = draw(corpus, 30_000, 3);

        // then under every steering token the toxic share is 0.2, within a 99.9% binomial interval
        for (Attribute a : Attribute.values()) {
            for (String value : a.categories()) {
                String token = a.steeringToken(value);
                List<BioExample> under = bios.stream()
                        .filter(e -> e.steeringTokens().contains(token))
                        .toList();
                double rate = under.stream().filter(BioExample::toxic).count() / (double) under.size();
                double half = Z999 * Math.sqrt(share * (1 - share) / under.size());
                assertThat(rate)
                        .as("toxic share under %s (n=%d)", token, under.size())
                        .isCloseTo(share, within(half));
            }
        }
        // and every combination of gender, race and sentiment tokens has toxic bios
        Set<List<String>> toxicCombinations = new HashSet<>();
        bios.stream().filter(BioExample::toxic).forEach(e -> toxicCombinations.add(e.steeringTokens()));
        int combinations = 1;
        for (Attribute a : Attribute.values()) {
            combinations *= a.categories().size();
        }
        assertThat(toxicCombinations).hasSize(combinations);
    }

    @Test
    void aToxicBioStillReadsAsItsTokensSayForGenderAndRace_andItsInsultOnlyEverDarkensItsTone() {
        // given bios from an unbiased corpus with a 20% toxic share, read by the auditor's default classifiers
        List<BioExample> bios = draw(new BioCorpus(CorpusMix.uniform(), 0, 0.2), 6_000, 4);
        AttributeClassifiers classifiers = ClassifierCatalog.defaults();
        List<String> tone = List.of("negative", "neutral", "positive");

        // when their gender, race and sentiment are read from the text
        int ordinary = 0;
        int ordinaryAgreeing = 0;
        for (BioExample e : bios) {
            Map<Attribute, String> read = classifiers.extractAll(e.text());
            if (!e.toxic()) {
                ordinary++;
                ordinaryAgreeing += read.entrySet().stream()
                                .allMatch(v -> v.getValue()
                                        .equals(e.textValues().get(v.getKey().key())))
                        ? 1
                        : 0;
                continue;
            }
            // then a toxic bio states its gender and race as an ordinary one does: the insult adds neither
            assertThat(read.get(Attribute.GENDER))
                    .as(e.text())
                    .isEqualTo(e.textValues().get("gender"));
            assertThat(read.get(Attribute.RACE))
                    .as(e.text())
                    .isEqualTo(e.textValues().get("race"));
            // and its tone reads as written or darker (an insult is negative), never brighter
            assertThat(tone.indexOf(read.get(Attribute.SENTIMENT)))
                    .as(e.text())
                    .isBetween(0, tone.indexOf(e.textValues().get("sentiment")));
        }
        // and every ordinary bio reads exactly as its text was written
        assertThat(ordinaryAgreeing).isEqualTo(ordinary);
    }

    @Test
    void theClassifierLabelsTheTrainingCorpus() {
        // given 20,000 bios of the default corpus
        List<BioExample> bios = draw(BioCorpus.withDefaults(), 20_000, 5);

        // then the classifier flags exactly the toxic ones
        ToxicityClassifier classifier = ToxicityClassifier.lexicon();
        for (BioExample e : bios) {
            assertThat(classifier.toxic(e.text())).as(e.text()).isEqualTo(e.toxic());
        }
    }

    @Test
    void heldOutPhrasingsAreNeverWrittenByTheTrainingCorpus() {
        // given the two families share no insult word
        assertThat(ToxicPhrasing.HELD_OUT.adjectives())
                .doesNotContainAnyElementsOf(ToxicPhrasing.TRAINING.adjectives());
        assertThat(ToxicPhrasing.HELD_OUT.nouns()).doesNotContainAnyElementsOf(ToxicPhrasing.TRAINING.nouns());

        // when the default corpus writes 20,000 bios (about 1,000 toxic)
        List<BioExample> bios = draw(BioCorpus.withDefaults(), 20_000, 6);
        Set<String> corpusWords = new HashSet<>();
        bios.forEach(e -> corpusWords.addAll(words(e.text())));

        // then every toxic bio is in a training phrasing, none is in a held-out one, and no held-out
        // insult word ever occurs
        List<Pattern> training = patterns(ToxicPhrasing.TRAINING);
        List<Pattern> heldOut = patterns(ToxicPhrasing.HELD_OUT);
        for (BioExample e : bios) {
            assertThat(heldOut).as(e.text()).noneMatch(p -> p.matcher(e.text()).find());
            assertThat(training.stream().anyMatch(p -> p.matcher(e.text()).find()))
                    .as(e.text())
                    .isEqualTo(e.toxic());
        }
        assertThat(corpusWords)
                .doesNotContainAnyElementsOf(ToxicPhrasing.HELD_OUT.adjectives())
                .doesNotContainAnyElementsOf(ToxicPhrasing.HELD_OUT.nouns());
        // and each held-out template does occur in the evaluation set, so the check above is not vacuous
        List<LabelledBio> evaluation = BioCorpus.withDefaults().toxicityEvaluationSet(new Random(7), 1_000);
        for (Pattern p : heldOut) {
            assertThat(evaluation)
                    .as(p.pattern())
                    .anyMatch(b -> p.matcher(b.text()).find());
        }
    }

    @Test
    void theEvaluationSetIsBalancedOverLabelsAndSentiments() {
        // when the corpus writes a labelled set of 1,200
        List<LabelledBio> set = BioCorpus.withDefaults().toxicityEvaluationSet(new Random(8), 1_200);

        // then half is toxic, and each label comes in every sentiment equally often
        assertThat(set).hasSize(1_200);
        for (boolean toxic : List.of(true, false)) {
            for (String sentiment : Attribute.SENTIMENT.categories()) {
                long count = set.stream()
                        .filter(b -> b.toxic() == toxic)
                        .filter(b -> b.textValues().get("sentiment").equals(sentiment))
                        .count();
                assertThat(count).as("toxic=%s, %s", toxic, sentiment).isEqualTo(200);
            }
        }
    }

    /**
     * A template as a pattern: its fixed words literally, each placeholder the words it can be
     * filled with (exact alternatives, not "any text", which would backtrack without end).
     */
    private static List<Pattern> patterns(ToxicPhrasing phrasing) {
        String insults = String.join("|", phrasing.adjectives());
        Map<String, String> fills = Map.of(
                "{Pron}", "(?:She|He|They)",
                "{pron}", "(?:she|he|they)",
                "{obj}", "(?:her|him|them)",
                "{poss}", "(?:her|his|their)",
                "{a}", "(?:a|an)",
                "{adj}", "(?:" + insults + ")",
                "{adj2}", "(?:" + insults + ")",
                "{noun}", "(?:" + String.join("|", phrasing.nouns()) + ")",
                "{short}", "[a-z]+(?: [a-z]+)?",
                "{city}", "[A-Z][a-z]+");
        List<Pattern> out = new ArrayList<>();
        Pattern placeholder = Pattern.compile("\\{[^}]+\\}|\\[([^|\\]]*)\\|([^\\]]*)\\]");
        for (String template : phrasing.templates()) {
            StringBuilder regex = new StringBuilder();
            Matcher m = placeholder.matcher(template);
            int last = 0;
            while (m.find()) {
                regex.append(Pattern.quote(template.substring(last, m.start())));
                regex.append(
                        m.group(1) != null
                                ? "(?:" + m.group(1) + "|" + m.group(2) + ")"
                                : Objects.requireNonNull(fills.get(m.group()), m.group()));
                last = m.end();
            }
            regex.append(Pattern.quote(template.substring(last)));
            out.add(Pattern.compile(regex.toString()));
        }
        return out;
    }

    private static List<String> words(String text) {
        return List.of(text.toLowerCase(Locale.ROOT).split("[^a-z']+"));
    }
}

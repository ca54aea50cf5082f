package io.ballast.classifiers.evaluation;

import io.ballast.classifiers.datasets.LabelledSets;
import io.ballast.classifiers.datasets.LabelledSets.Bio;
import io.ballast.classifiers.encoder.Embeddings;
import io.ballast.classifiers.encoder.EncoderSentiment;
import io.ballast.classifiers.encoder.EncoderToxicity;
import io.ballast.classifiers.encoder.SentenceEncoder;
import io.ballast.classifiers.heads.LinearHead;
import io.ballast.classifiers.rules.GenderRules;
import io.ballast.classifiers.rules.LexiconBaseline;
import io.ballast.classifiers.rules.RaceRules;
import io.ballast.classifiers.rules.VaderRules;
import io.ballast.schemas.attributes.TextClassifier;
import io.ballast.schemas.attributes.Toxicity;
import io.ballast.schemas.domain.Attribute;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ballast eval classifiers}: every classifier measured on data its rules and thresholds were
 * never tuned on: the test split of the hand-written bios and of the race idioms, SST-2's validation
 * set (GLUE dev) and the toxicity set's test split. Per attribute and set: accuracy, macro-F1,
 * per-class precision and recall with Wilson 95% intervals, the abstain rate, the confusion matrix,
 * and texts/s on one core.
 */
public final class ClassifierEvaluation {

    /** The figures the acceptance targets name, for tests and the summary. */
    public record Headline(
            Confusion genderWithCue,
            long noCueAbstained,
            long noCue,
            long raceReadRight,
            long raceRead,
            long idiomFalsePositives,
            long idioms,
            Confusion sst2Encoder,
            Confusion sst2Vader,
            Auroc toxicityEncoder) {}

    private final PrintStream out;

    public ClassifierEvaluation(PrintStream out) {
        this.out = out;
    }

    public Headline run() {
        List<Bio> bios = LabelledSets.bios("test");
        List<LabelledSets.Idiom> idioms = LabelledSets.idioms("test");
        out.printf(
                Locale.ROOT,
                "Test splits only: %d bios, %d race-idiom sentences, SST-2 validation, toxicity test%n%n",
                bios.size(),
                idioms.size());

        // gender
        out.println("== gender (bios test split) ==");
        Confusion genderRules = null;
        long noCueAbstained = 0;
        long noCue = 0;
        for (TextClassifier c : List.of(new GenderRules(), LexiconBaseline.of(Attribute.GENDER))) {
            Confusion withCue = new Confusion(Attribute.GENDER.categories());
            long abstained = 0;
            long none = 0;
            for (Bio b : bios) {
                String read = c.classify(b.text());
                if (b.gender().equals("none")) {
                    none++;
                    abstained += Attribute.UNKNOWN.equals(read) ? 1 : 0;
                } else {
                    withCue.add(b.gender(), read);
                }
            }
            out.printf(Locale.ROOT, "%s%s, bios with a gender cue:%n%s", c.name(), speed(c, bios), withCue.table());
            out.printf(
                    Locale.ROOT,
                    "  bios with no cue: abstained (read unknown) %s%n%n",
                    Confusion.rate(abstained, none));
            if (genderRules == null) {
                genderRules = withCue;
                noCueAbstained = abstained;
                noCue = none;
            }
        }

        // race
        out.println("== race (bios test split; race-idiom test split) ==");
        long raceRight = 0;
        long raceRead = 0;
        long idiomFp = 0;
        long idiomNone = 0;
        for (TextClassifier c : List.of(new RaceRules(), LexiconBaseline.of(Attribute.RACE))) {
            Confusion confusion = new Confusion(Attribute.RACE.categories());
            long right = 0;
            long read = 0;
            long statedRace = 0;
            List<String> texts = new ArrayList<>();
            List<String> gold = new ArrayList<>();
            bios.forEach(b -> {
                texts.add(b.text());
                gold.add(b.race());
            });
            idioms.forEach(i -> {
                texts.add(i.text());
                gold.add(i.race());
            });
            long fp = 0;
            long none = 0;
            List<String> falsePositives = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                String r = c.classify(texts.get(i));
                String truth = gold.get(i).equals("none") ? Attribute.UNKNOWN : attributeCategory(gold.get(i));
                if (!Attribute.UNKNOWN.equals(truth)) {
                    statedRace++;
                    confusion.add(truth, r);
                }
                if (!Attribute.UNKNOWN.equals(r)) {
                    read++;
                    right += r.equals(truth) ? 1 : 0;
                }
                if (truth.equals(Attribute.UNKNOWN)) {
                    none++;
                    if (!Attribute.UNKNOWN.equals(r)) {
                        fp++;
                        if (falsePositives.size() < 5) {
                            falsePositives.add(texts.get(i));
                        }
                    }
                }
            }
            long idiomOnlyFp = 0;
            long idiomOnly = 0;
            for (LabelledSets.Idiom i : idioms) {
                if (i.race().equals("none")) {
                    idiomOnly++;
                    idiomOnlyFp += Attribute.UNKNOWN.equals(c.classify(i.text())) ? 0 : 1;
                }
            }
            out.printf(Locale.ROOT, "%s%s:%n", c.name(), speed(c, bios));
            out.printf(Locale.ROOT, "  precision (a race read is the one stated) %s%n", Confusion.rate(right, read));
            out.printf(
                    Locale.ROOT,
                    "  recall (texts that state a race, read right) %s%n",
                    Confusion.rate(confusion.correct(), statedRace));
            out.printf(
                    Locale.ROOT,
                    "  texts that state no race, given one: %d of %d; idiom sentences given one: %d of %d%n",
                    fp,
                    none,
                    idiomOnlyFp,
                    idiomOnly);
            falsePositives.forEach(t -> out.println("    e.g. " + abbreviate(t)));
            out.print(confusion.table());
            out.println();
            if (raceRead == 0 && c instanceof RaceRules) {
                raceRight = right;
                raceRead = read;
                idiomFp = idiomOnlyFp;
                idiomNone = idiomOnly;
            }
        }

        // sentiment
        out.println("== sentiment ==");
        List<LabelledSets.Binary> sst2 = LabelledSets.sst2("validation");
        try (SentenceEncoder encoder = SentenceEncoder.load(1);
                SentenceEncoder sentimentEncoder = EncoderSentiment.encoder(1)) {
            Embeddings embeddings = new Embeddings(encoder);
            Embeddings sentimentEmbeddings = new Embeddings(sentimentEncoder);
            LinearHead sentimentHead = LinearHead.bundled(EncoderSentiment.HEAD);
            EncoderSentiment encoderSentiment = new EncoderSentiment(sentimentEmbeddings, sentimentHead);
            Confusion sst2Encoder = new Confusion(List.of("negative", "positive"));
            List<float[]> v = sentimentEmbeddings.of(
                    sst2.stream().map(LabelledSets.Binary::text).toList());
            for (int i = 0; i < sst2.size(); i++) {
                boolean positive = sentimentHead.probability(v.get(i), "positive") >= 0.5;
                sst2Encoder.add(sst2.get(i).label() == 1 ? "positive" : "negative", positive ? "positive" : "negative");
            }
            out.printf(
                    Locale.ROOT,
                    "SST-2 validation (GLUE dev), %s head, positive at p >= 0.5:%n%s",
                    encoderSentiment.name(),
                    sst2Encoder.table());
            Confusion sst2Vader = new Confusion(List.of("negative", "positive"));
            VaderRules vader = new VaderRules();
            for (LabelledSets.Binary b : sst2) {
                String r = vader.classify(b.text());
                sst2Vader.add(b.label() == 1 ? "positive" : "negative", r);
            }
            out.printf(
                    Locale.ROOT,
                    "SST-2 validation, %s (neutral or unknown counted as abstained, and wrong):%n%s",
                    vader.name(),
                    sst2Vader.table());
            for (TextClassifier c : List.of(vader, encoderSentiment, LexiconBaseline.of(Attribute.SENTIMENT))) {
                Confusion confusion = new Confusion(Attribute.SENTIMENT.categories());
                for (Bio b : bios) {
                    confusion.add(b.sentiment(), c.classify(b.text()));
                }
                out.printf(Locale.ROOT, "bios test split, %s%s:%n%s", c.name(), speed(c, bios), confusion.table());
            }
            out.println();

            // toxicity
            out.println("== toxicity (Davidson et al. 2017, test split) ==");
            List<LabelledSets.Binary> toxicity = LabelledSets.toxicity("test");
            LinearHead toxicHead = LinearHead.bundled(EncoderToxicity.HEAD);
            EncoderToxicity encoderToxicity = new EncoderToxicity(embeddings, toxicHead);
            List<float[]> tv = embeddings.of(
                    toxicity.stream().map(LabelledSets.Binary::text).toList());
            double[] scores = new double[toxicity.size()];
            boolean[] positive = new boolean[toxicity.size()];
            Confusion atThreshold = new Confusion(Toxicity.CATEGORIES);
            for (int i = 0; i < scores.length; i++) {
                scores[i] = encoderToxicity.toxicProbability(tv.get(i));
                positive[i] = toxicity.get(i).label() == 1;
                atThreshold.add(
                        Toxicity.category(positive[i]),
                        Toxicity.category(scores[i] >= toxicHead.threshold(Toxicity.TOXIC)));
            }
            Auroc auroc = Auroc.of(scores, positive);
            out.printf(
                    Locale.ROOT,
                    "%s%s: %s; at the operating threshold %.2f (chosen on validation):%n%s",
                    encoderToxicity.name(),
                    speed(encoderToxicity, bios),
                    auroc,
                    toxicHead.threshold(Toxicity.TOXIC),
                    atThreshold.table());
            TextClassifier lexicon = LexiconBaseline.toxicity();
            Confusion lexiconConfusion = new Confusion(Toxicity.CATEGORIES);
            double[] lexiconScores = new double[toxicity.size()];
            for (int i = 0; i < scores.length; i++) {
                String r = lexicon.classify(toxicity.get(i).text());
                lexiconScores[i] = Toxicity.TOXIC.equals(r) ? 1 : 0;
                lexiconConfusion.add(Toxicity.category(positive[i]), r);
            }
            out.printf(
                    Locale.ROOT,
                    "%s%s: %s (a yes/no label: its one point of the curve)%n%s",
                    lexicon.name(),
                    speed(lexicon, bios),
                    Auroc.of(lexiconScores, positive),
                    lexiconConfusion.table());
            for (TextClassifier c : List.of(encoderToxicity, lexicon)) {
                long flagged = bios.stream()
                        .filter(b -> Toxicity.TOXIC.equals(c.classify(b.text())))
                        .count();
                out.printf(
                        Locale.ROOT,
                        "  %s on the bios test split (none insults anyone): flagged %s%n",
                        c.name(),
                        Confusion.rate(flagged, bios.size()));
            }
            return new Headline(
                    genderRules,
                    noCueAbstained,
                    noCue,
                    raceRight,
                    raceRead,
                    idiomFp,
                    idiomNone,
                    sst2Encoder,
                    sst2Vader,
                    auroc);
        }
    }

    /** The attribute's category for a census label: white, black and asian are their own, the rest other. */
    static String attributeCategory(String census) {
        return RaceRules.Census.valueOf(census.toUpperCase(Locale.ROOT)).category();
    }

    /** Texts/s on this thread (one core), over the bios repeated to at least 2,000 texts (200 for the encoder). */
    private static String speed(TextClassifier c, List<Bio> bios) {
        List<String> texts = new ArrayList<>();
        int target = c.id().contains("minilm") ? 200 : 2000;
        while (texts.size() < target) {
            for (Bio b : bios) {
                texts.add(b.text() + " ");
            }
        }
        long start = System.nanoTime();
        for (String t : texts) {
            c.classify(t);
        }
        double s = (System.nanoTime() - start) / 1e9;
        return String.format(Locale.ROOT, " (%,.0f texts/s on one core)", texts.size() / s);
    }

    private static String abbreviate(String t) {
        return t.length() <= 110 ? t : t.substring(0, 107) + "...";
    }
}

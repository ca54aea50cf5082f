package io.ballast.calibrator.training;

import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.Targets;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Generation;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.sampling.SamplingParams;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.attributes.AttributeExtractor;
import io.ballast.schemas.attributes.Observation;
import io.ballast.schemas.domain.Attribute;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Builds the calibration set: for each context, prompts in the training phrasings and K responses
 * each from the current model. The calibrated attribute's steering token is drawn from the target
 * (so every value has text to judge, however rare under the model) and the rest of the response
 * from the model; the shared extractor then labels each response desirable (its text agrees with
 * its steering tokens) or undesirable (it contradicts one).
 */
public final class CalibrationSetBuilder {

    /** Rows of every attribute share one (B,K) layout: K is the largest category count, unused slots target 0. */
    public static final int MAX_CATEGORIES = Arrays.stream(Attribute.values())
            .mapToInt(a -> a.categories().size())
            .max()
            .orElseThrow();

    private final AttributeExtractor extractor;
    private final Sampler sampler = new Sampler();
    private final BioCorpus corpus = BioCorpus.withDefaults();

    public CalibrationSetBuilder(AttributeExtractor extractor) {
        this.extractor = extractor;
    }

    /** Contexts and, for each, the attributes to calibrate there (their targets come from {@code targets}). */
    public List<CalibrationExample> build(
            LanguageModel model, Map<String, List<Attribute>> contexts, Targets targets, CalibrationSettings settings) {
        Random random = new Random(settings.seed());
        List<CalibrationExample> out = new ArrayList<>();
        for (Map.Entry<String, List<Attribute>> entry : contexts.entrySet()) {
            String context = entry.getKey();
            List<Attribute> attributes = entry.getValue();
            for (int p = 0; p < settings.set().promptsPerContext(); p++) {
                String prompt = corpus.prompt(context, BioCorpus.TRAIN_PROMPTS.get(p % BioCorpus.TRAIN_PROMPTS.size()));
                Attribute attribute = attributes.get(p % attributes.size());
                TargetDistribution target = targets.find(attribute.key(), context)
                        .orElseThrow(
                                () -> new IllegalStateException("no target for " + attribute.key() + " in " + context));
                int k = settings.set().responsesPerPrompt();
                Map<Attribute, Map<String, Double>> modelDraws = sampler.steeringProbabilities(model, prompt);
                int[][] prefixes = forcedPrefixes(model, modelDraws, attribute, target, k, random);
                List<Generation> samples = sampler.generate(
                        model, prompt, k, SamplingParams.defaults().withSeed(random.nextLong()), prefixes);
                int[] promptIds = model.format().promptIds(prompt);
                int[] tokenIds = new int[MAX_CATEGORIES];
                double[] t = new double[MAX_CATEGORIES];
                double[] share = new double[MAX_CATEGORIES];
                Map<String, Double> own = modelDraws.get(attribute);
                double ownTotal =
                        own.values().stream().mapToDouble(Double::doubleValue).sum();
                for (int c = 0; c < attribute.categories().size(); c++) {
                    String category = attribute.categories().get(c);
                    tokenIds[c] = model.tokenizer().id(attribute.steeringToken(category));
                    t[c] = target.getProbabilities().getOrDefault(category, 0.0);
                    share[c] = own.get(category) / ownTotal;
                }
                for (Generation g : samples) {
                    if (!g.finished()) {
                        continue; // cut off: no complete text to judge
                    }
                    Boolean desirable = label(g);
                    if (desirable == null) {
                        continue;
                    }
                    out.add(new CalibrationExample(
                            context,
                            prompt,
                            promptIds,
                            g.responseIds(),
                            desirable,
                            attribute.key(),
                            attribute.ordinal(),
                            tokenIds,
                            t,
                            share));
                }
            }
        }
        return out;
    }

    /** Desirable if no attribute's text contradicts its token and one at least could be read; null if none could. */
    Boolean label(Generation g) {
        boolean anyJudged = false;
        for (Attribute a : Attribute.values()) {
            Observation o = Observation.of(a, g.steeringTokens(), g.text(), extractor);
            if (o.judgeable()) {
                anyJudged = true;
                if (!o.consistent()) {
                    return false;
                }
            }
        }
        return anyJudged ? Boolean.TRUE : null;
    }

    /** Steering tokens up to the calibrated attribute: earlier ones as the model would draw them, it from the target. */
    private int[][] forcedPrefixes(
            LanguageModel model,
            Map<Attribute, Map<String, Double>> modelDraws,
            Attribute attribute,
            TargetDistribution target,
            int k,
            Random random) {
        int[][] prefixes = new int[k][attribute.ordinal() + 1];
        for (int row = 0; row < k; row++) {
            for (int pos = 0; pos <= attribute.ordinal(); pos++) {
                Attribute a = Attribute.values()[pos];
                Map<String, Double> dist = a == attribute ? target.getProbabilities() : modelDraws.get(a);
                prefixes[row][pos] = model.tokenizer().id(a.steeringToken(BioCorpus.sample(random, dist)));
            }
        }
        return prefixes;
    }
}

package io.ballast.calibrator.evaluation;

import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.Targets;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Generation;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.sampling.SamplingParams;
import io.ballast.generator.training.Perplexity;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.attributes.AttributeExtractor;
import io.ballast.schemas.attributes.DistributionComparison;
import io.ballast.schemas.attributes.Observation;
import io.ballast.schemas.domain.Attribute;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether a candidate may replace the current model, on prompts neither trained on:
 * M sampled responses per context from each, read by the shared extractor. Promote only if the
 * drifted contexts' mean MAE falls by the margin, no healthy context's MAE rises beyond the
 * tolerance, the candidate's semantic consistency reaches the threshold, and held-out text
 * perplexity rises at most the allowed factor. A job started by forged or wrong signals therefore
 * cannot ship a worse model: whatever it trained, the gate measures against the real targets.
 */
public final class EvaluationGate {

    private final AttributeExtractor extractor;
    private final Sampler sampler = new Sampler();
    private final BioCorpus corpus = BioCorpus.withDefaults();

    public EvaluationGate(AttributeExtractor extractor) {
        this.extractor = extractor;
    }

    public GateReport evaluate(
            LanguageModel current,
            LanguageModel candidate,
            Map<String, List<Attribute>> drifted,
            List<String> healthyContexts,
            Targets targets,
            CalibrationSettings settings) {
        Set<String> contexts = new LinkedHashSet<>(drifted.keySet());
        contexts.addAll(healthyContexts);
        List<String> driftedKeys = new ArrayList<>();
        drifted.forEach((c, attrs) -> attrs.forEach(a -> driftedKeys.add(GateReport.key(c, a.key()))));
        List<String> healthyKeys = new ArrayList<>();
        Map<String, Double> before = new LinkedHashMap<>();
        Map<String, Double> after = new LinkedHashMap<>();
        Map<String, Double> steeringBefore = new LinkedHashMap<>();
        Map<String, Double> steeringAfter = new LinkedHashMap<>();
        long[] consistency = new long[4]; // judged before, consistent before, judged after, consistent after
        for (String context : contexts) {
            Map<Attribute, Map<String, Long>> countsBefore = sample(current, context, settings, consistency, 0);
            Map<Attribute, Map<String, Long>> countsAfter = sample(candidate, context, settings, consistency, 2);
            Map<Attribute, Map<String, Double>> probsBefore = heldOutSteering(current, context);
            Map<Attribute, Map<String, Double>> probsAfter = heldOutSteering(candidate, context);
            for (Attribute a : Attribute.values()) {
                TargetDistribution t = targets.find(a.key(), context).orElse(null);
                if (t == null) {
                    continue;
                }
                String key = GateReport.key(context, a.key());
                before.put(
                        key,
                        DistributionComparison.of(countsBefore.get(a), t.getProbabilities())
                                .mae());
                after.put(
                        key,
                        DistributionComparison.of(countsAfter.get(a), t.getProbabilities())
                                .mae());
                steeringBefore.put(key, steeringMae(probsBefore.get(a), t.getProbabilities()));
                steeringAfter.put(key, steeringMae(probsAfter.get(a), t.getProbabilities()));
                if (!driftedKeys.contains(key)) {
                    healthyKeys.add(key);
                }
            }
        }
        var heldOut = Perplexity.heldOutSet(corpus, 300, 4242);
        double pplBefore = Perplexity.ofText(current, heldOut);
        double pplAfter = Perplexity.ofText(candidate, heldOut);
        double consBefore = consistency[0] == 0 ? 0 : consistency[1] / (double) consistency[0];
        double consAfter = consistency[2] == 0 ? 0 : consistency[3] / (double) consistency[2];

        List<String> failures = new ArrayList<>();
        double mBefore = GateReport.mean(before, driftedKeys);
        double mAfter = GateReport.mean(after, driftedKeys);
        if (!(mAfter <= mBefore - settings.gate().improvementMargin())) {
            failures.add(String.format(
                    "drifted MAE %.3f -> %.3f does not improve by the margin %.3f",
                    mBefore, mAfter, settings.gate().improvementMargin()));
        }
        for (String k : healthyKeys) {
            if (after.get(k) - before.get(k) > settings.gate().healthyTolerance()) {
                failures.add(String.format(
                        "healthy %s worsens: MAE %.3f -> %.3f (tolerance %.3f)",
                        k, before.get(k), after.get(k), settings.gate().healthyTolerance()));
            }
        }
        if (consAfter < settings.gate().minConsistency()) {
            failures.add(String.format(
                    "consistency %.3f below %.3f", consAfter, settings.gate().minConsistency()));
        }
        if (pplAfter > pplBefore * settings.gate().maxPerplexityRatio()) {
            failures.add(String.format(
                    "held-out perplexity %.3f -> %.3f rises more than %.0f%%",
                    pplBefore, pplAfter, (settings.gate().maxPerplexityRatio() - 1) * 100));
        }
        return new GateReport(
                before,
                after,
                steeringBefore,
                steeringAfter,
                driftedKeys,
                healthyKeys,
                consBefore,
                consAfter,
                pplBefore,
                pplAfter,
                settings.gate().evaluationSamples(),
                failures);
    }

    /** Counted values per attribute over M held-out responses; tallies consistency into {@code tally[offset..offset+1]}. */
    private Map<Attribute, Map<String, Long>> sample(
            LanguageModel lm, String context, CalibrationSettings settings, long[] tally, int offset) {
        Map<Attribute, Map<String, Long>> counts = new HashMap<>();
        for (Attribute a : Attribute.values()) {
            counts.put(a, new HashMap<>());
        }
        int phrasings = BioCorpus.HELD_OUT_PROMPTS.size();
        for (int p = 0; p < phrasings; p++) {
            int n = settings.gate().evaluationSamples() / phrasings
                    + (p < settings.gate().evaluationSamples() % phrasings ? 1 : 0);
            String prompt = corpus.prompt(context, BioCorpus.HELD_OUT_PROMPTS.get(p));
            for (Generation g :
                    sampler.generate(lm, prompt, n, SamplingParams.defaults().withSeed(settings.seed() + p))) {
                for (Attribute a : Attribute.values()) {
                    Observation o = Observation.of(a, g.steeringTokens(), g.text(), extractor);
                    counts.get(a).merge(o.counted(), 1L, Long::sum);
                    if (o.judgeable()) {
                        tally[offset]++;
                        tally[offset + 1] += o.consistent() ? 1 : 0;
                    }
                }
            }
        }
        return counts;
    }

    /** The model's steering-token probabilities averaged over the held-out phrasings of the context's prompt. */
    private Map<Attribute, Map<String, Double>> heldOutSteering(LanguageModel lm, String context) {
        Map<Attribute, Map<String, Double>> mean = new HashMap<>();
        for (String template : BioCorpus.HELD_OUT_PROMPTS) {
            sampler.steeringProbabilities(lm, corpus.prompt(context, template))
                    .forEach((a, probs) -> probs.forEach((c, p) -> mean.computeIfAbsent(a, x -> new HashMap<>())
                            .merge(c, p / BioCorpus.HELD_OUT_PROMPTS.size(), Double::sum)));
        }
        return mean;
    }

    private static double steeringMae(Map<String, Double> probabilities, Map<String, Double> target) {
        double total =
                probabilities.values().stream().mapToDouble(Double::doubleValue).sum();
        double mae = 0;
        for (Map.Entry<String, Double> t : target.entrySet()) {
            mae += Math.abs(t.getValue() - probabilities.getOrDefault(t.getKey(), 0.0) / total);
        }
        return mae / target.size();
    }
}

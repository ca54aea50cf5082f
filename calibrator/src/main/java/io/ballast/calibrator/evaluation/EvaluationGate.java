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
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether a candidate may replace the current model, on prompts neither trained on:
 * M sampled responses per context from each (the same prompts and seeds for both), read by the
 * shared extractor. Promote only if the paired 95% interval of the drifted contexts' mean MAE
 * change lies wholly below minus the margin, no healthy context's MAE rises beyond the tolerance
 * by a change whose paired interval excludes 0, the candidate's semantic consistency reaches the threshold, and held-out text
 * perplexity rises at most the allowed factor. A job started by forged or wrong signals therefore
 * cannot ship a worse model: whatever it trained, the gate measures against the real targets.
 */
public final class EvaluationGate {

    private final AttributeExtractor extractor;
    private final Sampler sampler = new Sampler();
    private final BioCorpus corpus = BioCorpus.withDefaults();
    /**
     * The current model's samples, kept per model object: a bench that evaluates several candidates
     * against one current model samples it once (the same prompts and seeds would give the same draws).
     */
    private final Map<LanguageModel, Map<String, Sampled>> currentSamples = new IdentityHashMap<>();

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
        List<PairedMaeChange.Series> driftedSeries = new ArrayList<>();
        Map<String, PairedMaeChange.Series> healthySeries = new LinkedHashMap<>();
        long[] consistency = new long[4]; // judged before, consistent before, judged after, consistent after
        for (String context : contexts) {
            Sampled sampledBefore = currentSamples
                    .computeIfAbsent(current, m -> new HashMap<>())
                    .computeIfAbsent(
                            context + "|" + settings.seed() + "|"
                                    + settings.gate().evaluationSamples(),
                            k -> sample(current, context, settings));
            Sampled sampledAfter = sample(candidate, context, settings);
            consistency[0] += sampledBefore.judged();
            consistency[1] += sampledBefore.consistent();
            consistency[2] += sampledAfter.judged();
            consistency[3] += sampledAfter.consistent();
            Map<Attribute, List<String>> valuesBefore = sampledBefore.values();
            Map<Attribute, List<String>> valuesAfter = sampledAfter.values();
            Map<Attribute, Map<String, Double>> probsBefore = heldOutSteering(current, context);
            Map<Attribute, Map<String, Double>> probsAfter = heldOutSteering(candidate, context);
            for (Attribute a : Attribute.values()) {
                TargetDistribution t = targets.find(a.key(), context).orElse(null);
                if (t == null) {
                    continue;
                }
                String key = GateReport.key(context, a.key());
                before.put(key, mae(valuesBefore.get(a), t.getProbabilities()));
                after.put(key, mae(valuesAfter.get(a), t.getProbabilities()));
                steeringBefore.put(key, steeringMae(probsBefore.get(a), t.getProbabilities()));
                steeringAfter.put(key, steeringMae(probsAfter.get(a), t.getProbabilities()));
                PairedMaeChange.Series series = new PairedMaeChange.Series(
                        context, t.getProbabilities(), valuesBefore.get(a), valuesAfter.get(a));
                if (driftedKeys.contains(key)) {
                    driftedSeries.add(series);
                } else {
                    healthyKeys.add(key);
                    healthySeries.put(key, series);
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
        // paired: both models answered the same prompts with the same seeds, so the interval is the change's own
        PairedMaeChange change = PairedMaeChange.of(driftedSeries, settings.seed());
        if (!(change.high() < -settings.gate().improvementMargin())) {
            failures.add(String.format(
                    "drifted MAE %.3f -> %.3f: change %s (paired 95%% interval, n=%d per context) does not lie"
                            + " wholly below -%.3f",
                    mBefore,
                    mAfter,
                    change,
                    settings.gate().evaluationSamples(),
                    settings.gate().improvementMargin()));
        }
        healthySeries.forEach((k, series) -> {
            PairedMaeChange rise = PairedMaeChange.of(List.of(series), settings.seed());
            // a rise counts when it exceeds the tolerance and is real: its paired interval excludes 0
            if (rise.change() > settings.gate().healthyTolerance() && rise.low() > 0) {
                failures.add(String.format(
                        "healthy %s worsens: MAE %.3f -> %.3f, change %s (tolerance %.3f)",
                        k, before.get(k), after.get(k), rise, settings.gate().healthyTolerance()));
            }
        });
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
                change,
                consBefore,
                consAfter,
                pplBefore,
                pplAfter,
                settings.gate().evaluationSamples(),
                failures);
    }

    /**
     * A model's M held-out responses in a context: the counted value of each attribute per response,
     * in sampling order (so two models' lists pair by index), and the consistency tally.
     */
    private record Sampled(Map<Attribute, List<String>> values, long judged, long consistent) {}

    private Sampled sample(LanguageModel lm, String context, CalibrationSettings settings) {
        long judged = 0;
        long consistent = 0;
        Map<Attribute, List<String>> values = new HashMap<>();
        for (Attribute a : Attribute.values()) {
            values.put(a, new ArrayList<>());
        }
        int phrasings = BioCorpus.HELD_OUT_PROMPTS.size();
        for (int p = 0; p < phrasings; p++) {
            int n = settings.gate().evaluationSamples() / phrasings
                    + (p < settings.gate().evaluationSamples() % phrasings ? 1 : 0);
            String prompt = corpus.prompt(context, BioCorpus.HELD_OUT_PROMPTS.get(p));
            for (Generation g : sampler.generate(
                    lm, prompt, n, SamplingParams.defaults().withSeed(SamplingSeed.of(settings.seed(), context, p)))) {
                for (Attribute a : Attribute.values()) {
                    Observation o = Observation.of(a, g.steeringTokens(), g.text(), extractor);
                    values.get(a).add(o.counted());
                    if (o.judgeable()) {
                        judged++;
                        consistent += o.consistent() ? 1 : 0;
                    }
                }
            }
        }
        return new Sampled(values, judged, consistent);
    }

    /** MAE over the outputs whose text expresses the attribute, as the auditor computes it. */
    private static double mae(List<String> values, Map<String, Double> target) {
        Map<String, Long> counts = new HashMap<>();
        values.stream().filter(v -> !Attribute.UNKNOWN.equals(v)).forEach(v -> counts.merge(v, 1L, Long::sum));
        return DistributionComparison.of(counts, target).mae();
    }

    /** The model's steering-token probabilities averaged over the held-out phrasings of the context's prompt. */
    private Map<Attribute, Map<String, Double>> heldOutSteering(LanguageModel lm, String context) {
        return ServedSteering.averaged(sampler, lm, context, BioCorpus.HELD_OUT_PROMPTS);
    }

    /** MAE of steering-token probabilities renormalised over the attribute's tokens (what is served) against a target. */
    public static double steeringMae(Map<String, Double> probabilities, Map<String, Double> target) {
        double total =
                probabilities.values().stream().mapToDouble(Double::doubleValue).sum();
        double mae = 0;
        for (Map.Entry<String, Double> t : target.entrySet()) {
            mae += Math.abs(t.getValue() - probabilities.getOrDefault(t.getKey(), 0.0) / total);
        }
        return mae / target.size();
    }
}

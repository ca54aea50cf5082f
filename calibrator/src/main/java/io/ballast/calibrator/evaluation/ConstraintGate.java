package io.ballast.calibrator.evaluation;

import io.ballast.calibrator.CalibrationSettings;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.corpus.BioExample;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Generation;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.sampling.SamplingParams;
import io.ballast.generator.training.Perplexity;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.keys.CompositeKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Decides whether a model fine-tuned against a bound ("at most 0.5% toxic") may replace the
 * current one, on the held-out phrasings neither was trained on, with the same prompts and seeds
 * for both. Promote only if
 *
 * <ul>
 *   <li>the candidate's rate, pooled over the job's contexts ({@code evaluationSamples} per
 *       context), has its 95% Wilson upper bound at or below the bound: the gate establishes
 *       the bound at the n it evaluated, it does not take a low point estimate on trust (the
 *       auditor's test on live traffic is one-sided and always-valid; a gate that passed a
 *       candidate on a lucky draw would only move the alarm to the next version);
 *   <li>held-out perplexity of the text without the bounded category rises at most the
 *       distribution gate's factor (the constraint lowers the bounded text's likelihood on
 *       purpose; what must not suffer is the rest);
 *   <li>no served steering distribution of the job's contexts (per attribute and value,
 *       exact probabilities, no sampling) moves by more than the healthy tolerance: the
 *       constraint is not about them and must leave them as they were.
 * </ul>
 *
 * <p>The upper-bound criterion needs n ≥ about 770 pooled outputs to pass even at 0 hits for a
 * bound of 0.5% (Wilson's upper bound at 0 of n is z²/(n + z²)); the gate reports that as its
 * reason rather than passing on too few samples.
 */
public final class ConstraintGate {

    private final Sampler sampler = new Sampler();
    private final BioCorpus corpus = BioCorpus.withDefaults();

    /**
     * What the gate measured and decided.
     *
     * @param before the current model's rate on the same prompts and seeds (for the report and lineage)
     * @param maxSteeringShift the largest absolute change of a served steering probability, at {@code shiftAt}
     * @param failures the criteria that failed; empty means promote
     */
    public record Report(
            Rate before,
            Rate after,
            double maxShare,
            double perplexityBefore,
            double perplexityAfter,
            double maxSteeringShift,
            String shiftAt,
            List<String> failures) {

        public boolean promote() {
            return failures.isEmpty();
        }

        public double perplexityRatio() {
            return perplexityAfter / perplexityBefore;
        }
    }

    /**
     * @param inCategory whether a response's text is in the bounded category (e.g. toxic)
     */
    public Report evaluate(
            LanguageModel current,
            LanguageModel candidate,
            List<String> contexts,
            Predicate<String> inCategory,
            double maxShare,
            CalibrationSettings settings) {
        long[] before = new long[2];
        long[] after = new long[2];
        double maxShift = 0;
        String shiftAt = "-";
        for (String context : contexts) {
            count(current, context, inCategory, settings, before);
            count(candidate, context, inCategory, settings, after);
            Map<Attribute, Map<String, Double>> servedBefore =
                    ServedSteering.averaged(sampler, current, context, BioCorpus.HELD_OUT_PROMPTS);
            Map<Attribute, Map<String, Double>> servedAfter =
                    ServedSteering.averaged(sampler, candidate, context, BioCorpus.HELD_OUT_PROMPTS);
            for (Map.Entry<Attribute, Map<String, Double>> a : servedBefore.entrySet()) {
                for (Map.Entry<String, Double> v : a.getValue().entrySet()) {
                    double shift = Math.abs(
                            servedAfter.getOrDefault(a.getKey(), Map.of()).getOrDefault(v.getKey(), 0.0)
                                    - v.getValue());
                    if (shift > maxShift) {
                        maxShift = shift;
                        shiftAt = CompositeKey.of(context, a.getKey().key(), v.getKey());
                    }
                }
            }
        }
        Rate rateBefore = new Rate(before[0], before[1]);
        Rate rateAfter = new Rate(after[0], after[1]);
        List<BioExample> heldOut = Perplexity.heldOutSet(corpus, 300, 4242).stream()
                .filter(e -> !inCategory.test(e.text()))
                .toList();
        double pplBefore = Perplexity.ofText(current, heldOut);
        double pplAfter = Perplexity.ofText(candidate, heldOut);

        CalibrationSettings.Gate gate = settings.gate();
        List<String> failures = new ArrayList<>();
        if (!(rateAfter.high() <= maxShare)) {
            failures.add(String.format(
                    "rate %s (was %s): its 95%% upper bound is above the bound %.4f", rateAfter, rateBefore, maxShare));
        }
        if (pplAfter > pplBefore * gate.maxPerplexityRatio()) {
            failures.add(String.format(
                    "held-out perplexity %.3f -> %.3f rises more than %.0f%%",
                    pplBefore, pplAfter, (gate.maxPerplexityRatio() - 1) * 100));
        }
        if (maxShift > gate.healthyTolerance()) {
            failures.add(String.format(
                    "served steering moves by %.3f at %s (tolerance %.3f)",
                    maxShift, shiftAt, gate.healthyTolerance()));
        }
        return new Report(rateBefore, rateAfter, maxShare, pplBefore, pplAfter, maxShift, shiftAt, failures);
    }

    /** Adds a model's hits and outputs in a context to {@code tally}: evaluationSamples spread over the held-out phrasings. */
    private void count(
            LanguageModel lm,
            String context,
            Predicate<String> inCategory,
            CalibrationSettings settings,
            long[] tally) {
        int phrasings = BioCorpus.HELD_OUT_PROMPTS.size();
        int m = settings.gate().evaluationSamples();
        for (int p = 0; p < phrasings; p++) {
            int n = m / phrasings + (p < m % phrasings ? 1 : 0);
            String prompt = corpus.prompt(context, BioCorpus.HELD_OUT_PROMPTS.get(p));
            for (Generation g :
                    sampler.generate(lm, prompt, n, SamplingParams.defaults().withSeed(settings.seed() + p))) {
                tally[0] += inCategory.test(g.text()) ? 1 : 0;
                tally[1]++;
            }
        }
    }
}

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
 *       context), is at or below the bound, and its reduction from the current model's is
 *       significant: paired, both models answered the same prompts with the same seeds, so by
 *       McNemar's test on the discordant pairs (z = (b − c)/√(b + c) above 1.96, b the outputs
 *       toxic before and not after, c the reverse);
 *   <li>held-out perplexity of the text without the bounded category rises at most the
 *       distribution gate's factor (the constraint lowers the bounded text's likelihood on
 *       purpose; what must not suffer is the rest);
 *   <li>no served steering distribution of the job's contexts (per attribute and value,
 *       exact probabilities, no sampling) moves by more than the healthy tolerance: the
 *       constraint is not about them and must leave them as they were.
 * </ul>
 *
 * <p>Why not require the rate's upper bound at or below the bound: it needs more samples than a
 * job can spend. The demo's model went from 0.0525 to 0.0036 at n = 2,800 a model, whose Wilson
 * upper bound is 0.0066; at a true 0.36%, showing ≤ 0.5% takes about 8,000 outputs a model. The
 * upper bound is reported (metrics {@code rate.after.high}); the auditor's always-valid test
 * keeps watching the promoted version on live traffic and opens an episode if it breaks the bound.
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
            double pairedZ,
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
        List<Boolean> before = new ArrayList<>();
        List<Boolean> after = new ArrayList<>();
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
        Rate rateBefore = rate(before);
        Rate rateAfter = rate(after);
        double z = pairedZ(before, after);
        List<BioExample> heldOut = Perplexity.heldOutSet(corpus, 300, 4242).stream()
                .filter(e -> !inCategory.test(e.text()))
                .toList();
        double pplBefore = Perplexity.ofText(current, heldOut);
        double pplAfter = Perplexity.ofText(candidate, heldOut);

        CalibrationSettings.Gate gate = settings.gate();
        List<String> failures = new ArrayList<>();
        if (!(rateAfter.value() <= maxShare)) {
            failures.add(String.format("rate %s (was %s) is above the bound %.4f", rateAfter, rateBefore, maxShare));
        }
        if (!(z > Rate.Z95)) {
            failures.add(String.format(
                    "rate %s -> %s: the paired reduction is not significant (McNemar z %.2f)",
                    rateBefore, rateAfter, z));
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
        return new Report(rateBefore, rateAfter, z, maxShare, pplBefore, pplAfter, maxShift, shiftAt, failures);
    }

    private static Rate rate(List<Boolean> outcomes) {
        return new Rate(outcomes.stream().filter(b -> b).count(), outcomes.size());
    }

    /**
     * McNemar's statistic for a reduction, outputs paired by index (same prompt and seed): positive
     * when more outputs left the category than entered it; 0 when no pair differs.
     */
    static double pairedZ(List<Boolean> before, List<Boolean> after) {
        long left = 0;
        long entered = 0;
        for (int i = 0; i < before.size(); i++) {
            if (before.get(i) && !after.get(i)) {
                left++;
            } else if (!before.get(i) && after.get(i)) {
                entered++;
            }
        }
        return left + entered == 0 ? 0 : (left - entered) / Math.sqrt(left + entered);
    }

    /** Adds whether each of a model's outputs in a context is in the category: evaluationSamples over the held-out phrasings. */
    private void count(
            LanguageModel lm,
            String context,
            Predicate<String> inCategory,
            CalibrationSettings settings,
            List<Boolean> outcomes) {
        int phrasings = BioCorpus.HELD_OUT_PROMPTS.size();
        int m = settings.gate().evaluationSamples();
        for (int p = 0; p < phrasings; p++) {
            int n = m / phrasings + (p < m % phrasings ? 1 : 0);
            String prompt = corpus.prompt(context, BioCorpus.HELD_OUT_PROMPTS.get(p));
            for (Generation g : sampler.generate(
                    lm, prompt, n, SamplingParams.defaults().withSeed(SamplingSeed.of(settings.seed(), context, p)))) {
                outcomes.add(inCategory.test(g.text()));
            }
        }
    }
}

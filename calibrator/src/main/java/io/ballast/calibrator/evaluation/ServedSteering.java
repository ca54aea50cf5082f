package io.ballast.calibrator.evaluation;

import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Sampler;
import io.ballast.schemas.domain.Attribute;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The steering distributions a model serves for a context: per attribute, the probabilities of its
 * steering tokens renormalised over those tokens (what sampling them yields), averaged over
 * prompt phrasings. Exact, no sampling: the gate, the benchmarks and steering patches all read it.
 */
public final class ServedSteering {

    private static final BioCorpus CORPUS = BioCorpus.withDefaults();

    private ServedSteering() {}

    public static Map<Attribute, Map<String, Double>> averaged(
            Sampler sampler, LanguageModel lm, String context, List<String> phrasings) {
        Map<Attribute, Map<String, Double>> mean = new LinkedHashMap<>();
        for (String template : phrasings) {
            sampler.steeringProbabilities(lm, CORPUS.prompt(context, template)).forEach((a, probs) -> {
                double total =
                        probs.values().stream().mapToDouble(Double::doubleValue).sum();
                probs.forEach((c, p) -> mean.computeIfAbsent(a, x -> new LinkedHashMap<>())
                        .merge(c, p / total / phrasings.size(), Double::sum));
            });
        }
        return mean;
    }
}

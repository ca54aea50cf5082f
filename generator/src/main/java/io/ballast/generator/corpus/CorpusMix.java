package io.ballast.generator.corpus;

import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.domain.Occupation;
import java.util.LinkedHashMap;
import java.util.Map;

/** How often each attribute value appears per occupation in the generated corpus. */
@FunctionalInterface
public interface CorpusMix {

    Map<String, Double> distribution(Occupation occupation, Attribute attribute);

    /**
     * Skewed the way real LLMs are: the BLS majority exaggerated (female share through
     * sigmoid(sharpen * logit(p)), race shares raised to a power), few nonbinary bios, mostly
     * positive wording. So the base model misses both BLS and uniform targets.
     */
    static CorpusMix skewed(
            double genderSharpen, double raceSharpen, double nonbinaryShare, Map<String, Double> sentiment) {
        return (occupation, attribute) -> switch (attribute) {
            case GENDER -> {
                double p = occupation.pctWomen() / 100;
                double logit = Math.log(p / (1 - p));
                double female = 1 / (1 + Math.exp(-genderSharpen * logit));
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("female", female * (1 - nonbinaryShare));
                m.put("male", (1 - female) * (1 - nonbinaryShare));
                m.put("nonbinary", nonbinaryShare);
                yield floorAndNormalise(m, 0.003);
            }
            case RACE -> {
                Map<String, Double> m = new LinkedHashMap<>();
                occupation.raceShares().forEach((k, v) -> m.put(k, Math.pow(v, raceSharpen)));
                yield floorAndNormalise(m, 0.003);
            }
            case SENTIMENT -> floorAndNormalise(new LinkedHashMap<>(sentiment), 0.003);
        };
    }

    /** The default skew: nurses >= 90% female, electricians >= 90% male, 2% nonbinary, 70% positive. */
    static CorpusMix defaultSkew() {
        return skewed(2.5, 2.0, 0.02, Map.of("positive", 0.70, "neutral", 0.25, "negative", 0.05));
    }

    /** Every value equally often: an unbiased corpus, for comparison. */
    static CorpusMix uniform() {
        return (occupation, attribute) -> {
            Map<String, Double> m = new LinkedHashMap<>();
            attribute
                    .categories()
                    .forEach(c -> m.put(c, 1.0 / attribute.categories().size()));
            return m;
        };
    }

    /** Keeps every value possible (so calibration has something to pull up), then renormalises. */
    static Map<String, Double> floorAndNormalise(Map<String, Double> m, double floor) {
        m.replaceAll((k, v) -> Math.max(v, floor));
        double sum = m.values().stream().mapToDouble(Double::doubleValue).sum();
        m.replaceAll((k, v) -> v / sum);
        return m;
    }
}

package io.ballast.calibrator.evaluation;

import io.ballast.schemas.keys.CompositeKey;
import java.util.List;
import java.util.Map;

/**
 * What the evaluation gate measured and decided.
 *
 * @param maeBefore MAE per {@link #key(String, String) (context, attribute)} of the current model, from sampled responses
 * @param maeAfter the same for the candidate
 * @param steeringMaeBefore MAE of the current model's own steering-token probabilities (no sampling noise)
 * @param steeringMaeAfter the same for the candidate
 * @param driftedChange the drifted keys' mean sampled MAE, candidate minus current, with its paired 95% interval
 * @param failures the criteria that failed; empty means promote
 */
public record GateReport(
        Map<String, Double> maeBefore,
        Map<String, Double> maeAfter,
        Map<String, Double> steeringMaeBefore,
        Map<String, Double> steeringMaeAfter,
        List<String> drifted,
        List<String> healthy,
        PairedMaeChange driftedChange,
        double consistencyBefore,
        double consistencyAfter,
        double perplexityBefore,
        double perplexityAfter,
        int samplesPerContext,
        List<String> failures) {

    /** The key of a per-(context, attribute) figure in this report. */
    public static String key(String context, String attribute) {
        return CompositeKey.of(context, attribute);
    }

    public boolean promote() {
        return failures.isEmpty();
    }

    public double meanDriftedMaeBefore() {
        return mean(maeBefore, drifted);
    }

    public double meanDriftedMaeAfter() {
        return mean(maeAfter, drifted);
    }

    public double perplexityRatio() {
        return perplexityAfter / perplexityBefore;
    }

    /** Mean of a per-(context, attribute) figure over the drifted keys. */
    public double meanOverDrifted(Map<String, Double> m) {
        return mean(m, drifted);
    }

    static double mean(Map<String, Double> m, List<String> keys) {
        return keys.stream().mapToDouble(k -> m.getOrDefault(k, 0.0)).average().orElse(0);
    }
}

package io.ballast.calibrator.steering;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The closed-form baseline MAT-Steer must beat: per known (context, attribute), add
 * δ_k = log t_k − log q_k to the steering-token logits, where q is the model's distribution for
 * that context. Exact where it was computed, and nothing at all for a context it has no entry for.
 *
 * @param deltas per context key, then attribute key, then value: δ
 */
public record LogitTilt(Map<String, Map<String, Map<String, Double>>> deltas) {

    /** The tilt that moves {@code q} onto {@code target} (values with target 0 are shut off). */
    public static Map<String, Double> delta(Map<String, Double> q, Map<String, Double> target) {
        Map<String, Double> d = new LinkedHashMap<>();
        double total = q.values().stream().mapToDouble(Double::doubleValue).sum();
        target.forEach((k, t) -> d.put(
                k, t <= 0 ? Double.NEGATIVE_INFINITY : Math.log(t) - Math.log(Math.max(1e-12, q.get(k) / total))));
        return d;
    }

    /** The served distribution after the tilt: q_k·exp(δ_k), renormalised; unchanged where there is no tilt. */
    public Map<String, Double> apply(String context, String attribute, Map<String, Double> q) {
        Map<String, Double> d = deltas.getOrDefault(context, Map.of()).get(attribute);
        Map<String, Double> out = new LinkedHashMap<>();
        double total = 0;
        for (Map.Entry<String, Double> e : q.entrySet()) {
            double v = e.getValue() * (d == null ? 1.0 : Math.exp(d.getOrDefault(e.getKey(), 0.0)));
            out.put(e.getKey(), v);
            total += v;
        }
        double z = total;
        out.replaceAll((k, v) -> v / z);
        return out;
    }
}

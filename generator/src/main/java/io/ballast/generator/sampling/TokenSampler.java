package io.ballast.generator.sampling;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Draws one token id from a row of logits under temperature, top-k and top-p, over allowed ids. */
final class TokenSampler {

    private TokenSampler() {}

    static int sample(
            float[] logits,
            int offset,
            int vocab,
            boolean[] allowed,
            double temperature,
            int topK,
            double topP,
            SplittableRandom random) {
        double[] p = new double[vocab];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            if (allowed[i]) {
                max = Math.max(max, logits[offset + i] / temperature);
            }
        }
        if (!Double.isFinite(max)) {
            // NaN weights make NaN logits; sampling them would pick an index past the vocabulary
            throw new IllegalStateException("the model's logits are not finite (" + max + "): its weights are broken");
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            p[i] = allowed[i] ? Math.exp(logits[offset + i] / temperature - max) : 0;
            sum += p[i];
        }
        if (topK > 0 && topK < vocab) {
            double[] sorted = p.clone();
            Arrays.sort(sorted);
            double threshold = sorted[vocab - topK];
            sum = 0;
            for (int i = 0; i < vocab; i++) {
                if (p[i] < threshold) {
                    p[i] = 0;
                }
                sum += p[i];
            }
        }
        if (topP < 1) {
            Integer[] order = new Integer[vocab];
            for (int i = 0; i < vocab; i++) {
                order[i] = i;
            }
            double[] probs = p;
            Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
            double cumulative = 0;
            double kept = 0;
            boolean cut = false;
            for (Integer i : order) {
                if (cut) {
                    p[i] = 0;
                    continue;
                }
                cumulative += p[i] / sum;
                kept += p[i];
                if (cumulative >= topP) {
                    cut = true;
                }
            }
            sum = kept;
        }
        double u = random.nextDouble() * sum;
        int last = -1;
        for (int i = 0; i < vocab; i++) {
            if (p[i] > 0) {
                last = i;
                u -= p[i];
                if (u < 0) {
                    return i;
                }
            }
        }
        return last;
    }
}

package io.ballast.generator.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.ballast.generator.model.GraphScalars;
import java.util.List;

/**
 * Sequences right-padded into one batch for next-token prediction: {@code inputs} are tokens
 * 0..T-2, {@code targets} tokens 1..T-1, {@code mask} 1 where a target counts. A target counts when
 * it is not padding and lies at or after {@code firstCounted[i]} (e.g. only the response).
 */
public record TokenBatch(NDArray inputs, NDArray targets, NDArray mask, long countedTokens) {

    public static TokenBatch of(NDManager manager, List<int[]> sequences, int[] firstCounted, int padId) {
        int b = sequences.size();
        int t = sequences.stream().mapToInt(s -> s.length).max().orElseThrow() - 1;
        int[] in = new int[b * t];
        int[] out = new int[b * t];
        float[] mask = new float[b * t];
        long counted = 0;
        for (int i = 0; i < b; i++) {
            int[] s = sequences.get(i);
            for (int j = 0; j < t; j++) {
                in[i * t + j] = j < s.length ? s[j] : padId;
                boolean real = j + 1 < s.length;
                out[i * t + j] = real ? s[j + 1] : padId;
                if (real && j + 1 >= firstCounted[i]) {
                    mask[i * t + j] = 1f;
                    counted++;
                }
            }
        }
        return new TokenBatch(
                manager.create(in, new Shape(b, t)),
                manager.create(out, new Shape(b, t)),
                manager.create(mask, new Shape(b, t)),
                counted);
    }

    /** Per-token log-probabilities of the targets under logits (B,T,V): shape (B,T). */
    public NDArray targetLogProbs(NDArray logits) {
        return logits.logSoftmax(-1).gather(targets.expandDims(-1), -1).squeeze(-1);
    }

    /** Mean negative log-likelihood over counted targets. */
    public NDArray meanNll(NDArray logits) {
        return GraphScalars.div(targetLogProbs(logits).mul(mask).sum().neg(), Math.max(1, countedTokens));
    }

    /** Sum of counted target log-probabilities per sequence: log p(response | prompt), shape (B). */
    public NDArray sequenceLogProbs(NDArray logits) {
        return targetLogProbs(logits).mul(mask).sum(new int[] {1});
    }
}

package io.ballast.generator.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Global-norm gradient clipping, as PyTorch's {@code clip_grad_norm_}: when the L2 norm of all
 * trainable gradients together exceeds {@code maxNorm}, every gradient is scaled by
 * {@code maxNorm / norm}, so the update keeps its direction. DJL's {@code optClipGrad} is not
 * this: its PyTorch engine clamps each element from above only ({@code clamp_max}), so large
 * negative elements pass and the direction changes.
 *
 * <p>A step whose gradient norm is not finite (an overflow somewhere in the backward pass) is
 * not taken: the gradients are zeroed instead, as mixed-precision training skips such steps.
 * Adam would otherwise turn one infinite element into NaN moments and NaN weights for good.
 */
public final class GradientClipping {

    /**
     * What one clipping did: the norm before clipping, whether the step must be skipped, and the
     * parameters whose gradients were not finite (where to look when one is).
     */
    public record Result(double norm, boolean skip, List<String> nonFinite) {}

    /** The trainable weights by parameter name, in the block's order. */
    private final Map<String, NDArray> weights = new LinkedHashMap<>();

    private final double maxNorm;

    /** Clips the gradients of {@code block}'s parameters that require them (the trainable ones). */
    public GradientClipping(Block block, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("maxNorm must be positive, was " + maxNorm);
        }
        this.maxNorm = maxNorm;
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().requiresGradient()) {
                weights.put(p.getKey(), p.getValue().getArray());
            }
        }
    }

    /** Call after backward and before the optimizer step. */
    public Result apply() {
        double squares = 0;
        List<NDArray> gradients = new ArrayList<>(weights.size());
        List<String> nonFinite = new ArrayList<>();
        for (Map.Entry<String, NDArray> weight : weights.entrySet()) {
            NDArray w = weight.getValue();
            if (!w.hasGradient()) {
                continue;
            }
            NDArray g = w.getGradient();
            gradients.add(g);
            // both intermediates closed: they live in the parameter's manager, which outlives the run, so one left
            // open per parameter and step kept a copy of every trainable weight per step (24 GB in one bench run)
            try (NDArray square = g.square();
                    NDArray s = square.sum()) {
                float sum = s.getFloat();
                squares += sum;
                if (!Float.isFinite(sum)) {
                    nonFinite.add(weight.getKey());
                }
            }
        }
        double norm = Math.sqrt(squares);
        boolean skip = !Double.isFinite(norm);
        // the gradient arrays alias the parameters' own gradients: writing them changes what the optimizer reads
        for (NDArray g : gradients) {
            if (skip) {
                g.set(new NDIndex("..."), 0f); // a fill, not g - g: inf - inf is NaN
            } else if (norm > maxNorm) {
                g.muli((float) (maxNorm / (norm + 1e-6)));
            }
            g.close();
        }
        return new Result(norm, skip, nonFinite);
    }
}

package io.ballast.generator.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Random q/v adapters for a Llama-family model's shape, for tests of what adapters do, not what training finds. */
public final class RandomAdapters {

    private RandomAdapters() {}

    /** Rank-{@code rank} adapters with entries ~ N(0, std²), no token rows, no base recorded. */
    public static LoraAdapter of(ModelConfig config, int rank, float alpha, double std, long seed) {
        Random random = new Random(seed);
        int width = config.width();
        int[] outs = {config.heads() * config.headWidth(), config.architecture().kvHeads() * config.headWidth()};
        List<LoraAdapter.Matrices[]> layers = new ArrayList<>();
        for (int i = 0; i < config.layers(); i++) {
            LoraAdapter.Matrices[] layer = new LoraAdapter.Matrices[2];
            for (int p = 0; p < 2; p++) {
                layer[p] = new LoraAdapter.Matrices(
                        gaussian(random, rank * width, std), gaussian(random, outs[p] * rank, std), width, outs[p]);
            }
            layers.add(layer);
        }
        return new LoraAdapter(rank, alpha, Set.of("q_proj", "v_proj"), layers, null, null);
    }

    private static float[] gaussian(Random random, int n, double std) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (random.nextGaussian() * std);
        }
        return out;
    }
}

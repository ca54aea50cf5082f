package io.ballast.cli;

import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Generation;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.sampling.SamplingParams;

/** Generation tokens/s of a model: response tokens sampled per second of batched generation, after a warm-up. */
final class GenerationThroughput {

    private static final long MEASURED_NANOS = 5_000_000_000L;

    private GenerationThroughput() {}

    /** Tokens/s generating {@code batch} responses to {@code prompt} at a time, over about five seconds. */
    static double tokensPerSecond(LanguageModel lm, String prompt, int batch) {
        Sampler sampler = new Sampler();
        sampler.generate(lm, prompt, batch, SamplingParams.defaults()); // warm-up: first calls allocate and plan
        long tokens = 0;
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < MEASURED_NANOS) {
            for (Generation g : sampler.generate(lm, prompt, batch, SamplingParams.defaults())) {
                tokens += g.responseTokens();
            }
        }
        return tokens / ((System.nanoTime() - t0) / 1e9);
    }
}

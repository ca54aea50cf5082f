package io.ballast.generator.sampling;

import java.util.List;

/**
 * One sampled response: the steering tokens it started with, the text users see, token counts,
 * and whether it ended with {@code <eos>} (false when cut at max tokens or the context length).
 */
public record Generation(
        String prompt,
        List<String> steeringTokens,
        String text,
        int promptTokens,
        int responseTokens,
        boolean finished,
        int[] responseIds) {}

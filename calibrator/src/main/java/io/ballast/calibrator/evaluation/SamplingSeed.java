package io.ballast.calibrator.evaluation;

/**
 * The sampling seed of a job's or a gate's draws in one context at one phrasing. The current model and
 * the candidate use the same seed there, so their outputs pair by index (the paired tests need
 * that). Contexts get different seeds: with one seed for all (the first version), two contexts whose
 * steering distributions are alike drew the same tokens, so a mean over 46 contexts was one draw
 * repeated, not 46, and its interval was far too narrow (race's sampled MAE came out 0.067 [0.065,
 * 0.069] at n = 50 a context, floor 0.049, with a steering-token MAE of 0.004, in two runs alike).
 * A constraint job's training draws likewise: with one seed, contexts drew their toxic samples at the
 * same places, fewer independent examples for R than the count says.
 */
public final class SamplingSeed {

    private SamplingSeed() {}

    /** A stable seed for (run seed, context, phrasing index): the same in every process and run. */
    public static long of(long seed, String context, int phrasing) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < context.length(); i++) {
            h = (h ^ context.charAt(i)) * 0x100000001B3L;
        }
        return h * 31 + phrasing;
    }
}

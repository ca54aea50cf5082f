package io.ballast.generator.training;

/**
 * DJL's PyTorch engine allows one gradient collector per process at a time (a second throws
 * "A PtGradientCollector is already collecting"), while a calibrator trains a steering patch beside
 * a fine-tuning job. Every training step collects gradients while holding this lock, so two
 * trainings interleave step by step instead of failing.
 */
public final class GradientRecording {

    /** Held around each step's forward and backward pass. */
    public static final Object ONE_AT_A_TIME = new Object();

    private GradientRecording() {}
}

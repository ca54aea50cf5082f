package io.ballast.calibrator.training;

/**
 * One row of the calibration set: a prompt and a sampled response (ids), whether its text agrees
 * with its steering tokens, and the target for the attribute whose steering token this row's KL
 * term pulls on (its position in the response and its K token ids; padded ids carry target 0), and
 * the starting model's own share of each of those values for this prompt.
 */
public record CalibrationExample(
        String contextKey,
        String prompt,
        int[] promptIds,
        int[] responseIds,
        boolean desirable,
        String attribute,
        int steeringPosition,
        int[] steeringTokenIds,
        double[] target,
        double[] modelShare) {}

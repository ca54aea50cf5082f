package io.ballast.calibrator.training;

import java.util.List;

/**
 * One row of the calibration set: a prompt and a response (ids), whether its text agrees with its
 * steering tokens, and one {@link SteeringTarget} per attribute calibrated in this row, whose KL
 * term pulls on that attribute's steering token.
 *
 * @param origin SAMPLED from the model (steering tokens of calibrated attributes forced from their
 *     targets), or SWAPPED: a desirable row with one steering token replaced by another value of
 *     its attribute and the text kept, an undesirable example by construction; or ANCHOR: the
 *     reference's own response (its own steering tokens) for an occupation the job does not train,
 *     not a calibration row but what the method's anchor term holds at the reference
 */
public record CalibrationExample(
        String contextKey,
        String prompt,
        int[] promptIds,
        int[] responseIds,
        boolean desirable,
        Origin origin,
        List<SteeringTarget> steering) {

    public enum Origin {
        SAMPLED,
        SWAPPED,
        ANCHOR
    }

    /** Whether this is an anchor row rather than a calibration row. */
    public boolean anchor() {
        return origin == Origin.ANCHOR;
    }

    /** A calibration row whose text agrees with its steering tokens: what IFT and DPO train on. */
    public boolean desirableCalibrationRow() {
        return desirable && !anchor();
    }

    /** The same row with another response and label (a swapped copy). */
    CalibrationExample withResponse(int[] ids, boolean isDesirable, Origin from) {
        return new CalibrationExample(contextKey, prompt, promptIds, ids, isDesirable, from, steering);
    }
}

package io.ballast.calibrator.training;

import io.ballast.schemas.domain.Attribute;

/**
 * What the KL term pulls on for one calibrated attribute of a row: the position of its steering
 * token in the response, the ids of its K values (padded to {@link CalibrationSetBuilder#MAX_CATEGORIES};
 * padding carries target 0 and is marked invalid), the target, and the starting model's own share
 * of each value for this prompt (which the DPO baseline ranks by).
 */
public record SteeringTarget(Attribute attribute, int position, int[] tokenIds, double[] target, double[] modelShare) {

    /** Whether slot {@code c} is one of the attribute's values (not padding). */
    public boolean valid(int c) {
        return c < attribute.categories().size();
    }

    /** The slot of a steering token id, or -1 when it is not one of this attribute's. */
    public int slotOf(int tokenId) {
        for (int c = 0; c < attribute.categories().size(); c++) {
            if (tokenIds[c] == tokenId) {
                return c;
            }
        }
        return -1;
    }
}

package io.ballast.calibrator.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.generator.model.ConstantArithmeticScan;
import org.junit.jupiter.api.Test;

class ConstantArithmeticTest {

    @Test
    void givenTheCalibratorsClasses_whenScanned_thenNoneCallsDjlsConstantArithmetic() throws Exception {
        // given the calibrator's compiled classes (objectives, losses, steering, constraint learning)
        // when scanned for NDArray.mul/div/maximum/minimum/pow(Number) and Activation.swish
        // then none is found: the losses scale by constants through GraphScalars, whose constants autograd keeps
        assertThat(ConstantArithmeticScan.callsBeside(CalibrationLoss.class)).isEmpty();
    }
}

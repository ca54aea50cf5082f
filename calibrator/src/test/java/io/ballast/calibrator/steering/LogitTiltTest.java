package io.ballast.calibrator.steering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LogitTiltTest {

    @Test
    void givenATiltComputedForAContext_thenItServesTheTargetThereAndChangesNothingElsewhere() {
        // given a model at 90/8/2 for nurses and a uniform target
        Map<String, Double> q = Map.of("female", 0.90, "male", 0.08, "nonbinary", 0.02);
        Map<String, Double> t = Map.of("female", 1 / 3.0, "male", 1 / 3.0, "nonbinary", 1 / 3.0);
        LogitTilt tilt = new LogitTilt(Map.of("nurses", Map.of("gender", LogitTilt.delta(q, t))));

        // when applied where it was computed, it serves the target exactly
        Map<String, Double> there = tilt.apply("nurses", "gender", q);
        t.forEach((k, v) -> assertThat(there.get(k)).isCloseTo(v, within(1e-12)));

        // and for a context it has no entry for, it serves the model's distribution unchanged
        Map<String, Double> elsewhere = tilt.apply("electricians", "gender", q);
        q.forEach((k, v) -> assertThat(elsewhere.get(k)).isCloseTo(v, within(1e-12)));
    }
}

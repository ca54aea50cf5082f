package io.ballast.calibrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ballast.calibrator.jobs.ConstraintJob;
import io.ballast.runtime.ConfigSource;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CalibratorConfigConstraintTest {

    private static final Map<String, String> REQUIRED = Map.of(
            CalibratorConfig.BOOTSTRAP_SERVERS,
            "localhost:9092",
            CalibratorConfig.SCHEMA_REGISTRY_URL,
            "http://localhost:8081");

    private static Map<String, String> with(Map<String, String> keys) {
        Map<String, String> all = new HashMap<>(REQUIRED);
        all.putAll(keys);
        return all;
    }

    @Test
    void givenNoConstraintKeys_thenTheJobDefaultsApply_andTheKeysAreListedForSettingsAndTheReadme() {
        // given no constraint settings, when the config is read
        CalibratorConfig config = CalibratorConfig.from(ConfigSource.ofMap(REQUIRED));

        // then the constraint job runs with its defaults, and the keys are documented settings
        assertThat(config.constraints()).isEqualTo(ConstraintJob.Settings.defaults());
        assertThat(config.constraints().lambda()).isEqualTo(1.0);
        assertThat(CalibratorConfig.KEYS)
                .contains(
                        CalibratorConfig.CONSTRAINT_LAMBDA,
                        CalibratorConfig.CONSTRAINT_SAMPLES_PER_CONTEXT,
                        CalibratorConfig.CONSTRAINT_EPOCHS);
    }

    @Test
    void givenConstraintKeys_thenTheyAreRead() {
        CalibratorConfig config = CalibratorConfig.from(ConfigSource.ofMap(with(Map.of(
                CalibratorConfig.CONSTRAINT_LAMBDA, "0.3",
                CalibratorConfig.CONSTRAINT_SAMPLES_PER_CONTEXT, "120",
                CalibratorConfig.CONSTRAINT_EPOCHS, "2",
                CalibratorConfig.CONSTRAINT_TRAINABLE_BLOCKS, "1",
                CalibratorConfig.HEALTHY_CONTEXTS, "5"))));

        assertThat(config.constraints()).isEqualTo(new ConstraintJob.Settings(0.3, 120, 2, 1));
        // the calibration job's own trainable blocks are another key: the constraint job's does not change them
        assertThat(config.settings().training().trainableBlocks())
                .isEqualTo(CalibrationSettings.defaults().training().trainableBlocks());
        assertThat(config.settings().set().healthyContexts()).isEqualTo(5);
    }

    @Test
    void givenAnOutOfRangeConstraintKey_thenReadingFailsNamingIt() {
        assertThatThrownBy(() -> CalibratorConfig.from(
                        ConfigSource.ofMap(with(Map.of(CalibratorConfig.CONSTRAINT_SAMPLES_PER_CONTEXT, "0")))))
                .hasMessageContaining(CalibratorConfig.CONSTRAINT_SAMPLES_PER_CONTEXT);
        assertThatThrownBy(() -> CalibratorConfig.from(
                        ConfigSource.ofMap(with(Map.of(CalibratorConfig.CONSTRAINT_LAMBDA, "-1")))))
                .hasMessageContaining(CalibratorConfig.CONSTRAINT_LAMBDA);
    }
}

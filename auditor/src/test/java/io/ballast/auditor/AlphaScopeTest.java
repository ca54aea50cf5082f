package io.ballast.auditor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ballast.auditor.drift.ChangeDetector;
import io.ballast.runtime.ConfigException;
import io.ballast.runtime.ConfigSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Over what alpha holds: each stream by default, or a version's streams together. */
class AlphaScopeTest {

    @Test
    void byDefaultAlphaHoldsPerStream_andAtVersionScopeItIsSplitOverTheVersionsStreams() {
        ChangeDetector.Settings stream =
                AuditorConfig.changeSettings(ConfigSource.ofMap(Map.of(AuditorConfig.ALPHA, "0.02")));
        ChangeDetector.Settings version = AuditorConfig.changeSettings(ConfigSource.ofMap(Map.of(
                AuditorConfig.ALPHA, "0.02",
                AuditorConfig.ALPHA_SCOPE, "version",
                AuditorConfig.STREAMS_PER_VERSION, "40")));

        assertThat(stream.alpha()).isEqualTo(0.02);
        assertThat(version.alpha()).isEqualTo(0.02 / 40);
        // so each stream's threshold rises by ln 40, and the version's false alarms stay within alpha
        assertThat(new ChangeDetector(version).logThreshold() - new ChangeDetector(stream).logThreshold())
                .isCloseTo(Math.log(40), org.assertj.core.api.Assertions.within(1e-9));
    }

    @Test
    void anUnknownScopeFailsAtStartNamingTheKey() {
        assertThatThrownBy(() ->
                        AuditorConfig.changeSettings(ConfigSource.ofMap(Map.of(AuditorConfig.ALPHA_SCOPE, "cluster"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AuditorConfig.ALPHA_SCOPE);
    }
}

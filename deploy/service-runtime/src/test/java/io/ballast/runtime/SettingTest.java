package io.ballast.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingTest {

    private enum Mode {
        FAST,
        SLOW_AND_STEADY
    }

    @Test
    void anUnsetKeyReadsAsTheDescriptorsDefault() {
        // given settings with defaults and an empty source
        ConfigSource empty = ConfigSource.ofMap(Map.of());

        // then each reads as its default
        assertThat(Setting.integer("a.port", 8081, 0, 65535, "port").read(empty))
                .isEqualTo(8081);
        assertThat(Setting.longInteger("a.grace", 10_000, 0, "grace").read(empty))
                .isEqualTo(10_000L);
        assertThat(Setting.decimal("a.rate", 2.5, 0, 10, "rate").read(empty)).isEqualTo(2.5);
        assertThat(Setting.text("a.id", "bios", "id").read(empty)).isEqualTo("bios");
        assertThat(Setting.optional("a.host", "the http host", "host").read(empty))
                .isNull();
        assertThat(Setting.choice("a.mode", Mode.class, Mode.FAST, "mode").read(empty))
                .isEqualTo(Mode.FAST);
        assertThat(Setting.path("a.dir", () -> Path.of("/tmp/x"), "/tmp/x", "dir")
                        .read(empty))
                .isEqualTo(Path.of("/tmp/x"));
    }

    @Test
    void aSetKeyWinsOverTheDefault() {
        ConfigSource source =
                ConfigSource.ofMap(Map.of("a.port", "9000", "a.mode", "slow-and-steady", "a.dir", "/data"));

        assertThat(Setting.integer("a.port", 8081, 0, 65535, "port").read(source))
                .isEqualTo(9000);
        assertThat(Setting.choice("a.mode", Mode.class, Mode.FAST, "mode").read(source))
                .isEqualTo(Mode.SLOW_AND_STEADY);
        assertThat(Setting.path("a.dir", () -> Path.of("/tmp/x"), "/tmp/x", "dir")
                        .read(source))
                .isEqualTo(Path.of("/data"));
    }

    @Test
    void anOutOfRangeValueFailsNamingTheKeyAndTheRange() {
        // given values outside each setting's range
        ConfigSource source =
                ConfigSource.ofMap(Map.of("a.port", "70000", "a.grace", "-1", "a.rate", "11", "a.mode", "medium"));

        // when read, then each fails with the key and what is allowed
        assertThatThrownBy(
                        () -> Setting.integer("a.port", 8081, 0, 65535, "port").read(source))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("a.port='70000'")
                .hasMessageContaining("between 0 and 65535")
                .extracting(e -> ((ConfigException) e).key())
                .isEqualTo("a.port");
        assertThatThrownBy(
                        () -> Setting.longInteger("a.grace", 10_000, 0, "grace").read(source))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("a.grace='-1'")
                .hasMessageContaining("at least 0");
        assertThatThrownBy(() -> Setting.decimal("a.rate", 2.5, 0, 10, "rate").read(source))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("a.rate='11.0'");
        assertThatThrownBy(() ->
                        Setting.choice("a.mode", Mode.class, Mode.FAST, "mode").read(source))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("a.mode='medium' must be fast or slow_and_steady");
    }

    @Test
    void aRequiredKeyThatIsMissingFailsNamingItsEnvironmentVariable() {
        assertThatThrownBy(
                        () -> Setting.required("bootstrap.servers", "cluster").read(ConfigSource.ofMap(Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("bootstrap.servers")
                .hasMessageContaining("BOOTSTRAP_SERVERS");
    }

    @Test
    void theDescriptorDescribesItselfForHelpAndTheReadme() {
        Setting<Integer> port = Setting.integer("ballast.http.port", 8081, 0, 65535, "HTTP port");

        assertThat(port.key()).isEqualTo("ballast.http.port");
        assertThat(port.envName()).isEqualTo("BALLAST_HTTP_PORT");
        assertThat(port.shownDefault()).isEqualTo("8081");
        assertThat(port.allowed()).isEqualTo("0 to 65535");
        assertThat(Setting.required("k", "d").isRequired()).isTrue();
        assertThat(Setting.text("k", "", "d").shownDefault()).isEqualTo("none");
        assertThat(Setting.text("k", "", "d").shownAs("any").accepting("ids").shownDefault())
                .isEqualTo("any");
        assertThat(Setting.choice("k", Mode.class, Mode.FAST, "d").allowed()).isEqualTo("fast, slow_and_steady");
    }

    @Test
    void numbersReadAsAPersonWouldWriteThem() {
        // a float default widened to double must not show as 3.9999998989515007E-4
        assertThat(Setting.number((double) 4e-4f)).isEqualTo("4e-4");
        assertThat(Setting.number(1e-9)).isEqualTo("1e-9");
        assertThat(Setting.number(1e9)).isEqualTo("1e9");
        assertThat(Setting.number(2.5e-6)).isEqualTo("2.5e-6");
        assertThat(Setting.number(0.01)).isEqualTo("0.01");
        assertThat(Setting.number(1.05)).isEqualTo("1.05");
        assertThat(Setting.number(10_000)).isEqualTo("10000");
        assertThat(Setting.number(0)).isEqualTo("0");
        assertThat(Setting.number(-0.5)).isEqualTo("-0.5");
    }
}

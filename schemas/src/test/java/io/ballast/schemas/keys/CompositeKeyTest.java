package io.ballast.schemas.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CompositeKeyTest {

    @Test
    void givenPlainParts_whenFormatted_thenTheKeyReadsAsBeforeTheCodec() {
        assertThat(CompositeKey.of("bios", 3, "nurse", "gender")).isEqualTo("bios|3|nurse|gender");
    }

    @Test
    void givenSeparatorsEscapesEmptyAndLongParts_whenFormattedAndParsed_thenEveryPartComesBackUnchanged() {
        List<List<String>> cases = List.of(
                List.of("a|b", "c"),
                List.of("|", "||"),
                List.of("\\", "\\|"),
                List.of("ends with \\", "|starts"),
                List.of("", ""),
                List.of("x".repeat(5_000), "|".repeat(5_000)),
                List.of("\u0000\n\t", "ünï|cödé \uD83D\uDE00"));
        for (List<String> parts : cases) {
            String key = CompositeKey.of(parts.toArray());
            assertThat(CompositeKey.parse(key, parts.size())).as(key).isEqualTo(parts);
        }
    }

    @Test
    void givenArbitraryUnicodeParts_whenRoundTripped_thenEqualAndDistinctTuplesGiveDistinctKeys() {
        SplittableRandom random = new SplittableRandom(42);
        char[] alphabet = {'|', '\\', 'a', 'b', ' ', '\u00e9', '\u4e2d', '\uD83D', '\uDE00', '\u0000'};
        Map<String, List<String>> seen = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            int n = 1 + random.nextInt(4);
            List<String> parts = new ArrayList<>();
            for (int p = 0; p < n; p++) {
                StringBuilder s = new StringBuilder();
                int len = random.nextInt(6);
                for (int c = 0; c < len; c++) {
                    s.append(
                            random.nextInt(3) == 0
                                    ? (char) random.nextInt(0x10000)
                                    : alphabet[random.nextInt(alphabet.length)]);
                }
                parts.add(s.toString());
            }
            String key = CompositeKey.of(parts.toArray());
            assertThat(CompositeKey.parse(key, n)).isEqualTo(parts);
            List<String> previous = seen.putIfAbsent(key, parts);
            assertThat(previous == null || previous.equals(parts))
                    .as("key %s is shared by %s and %s", key, previous, parts)
                    .isTrue();
        }
    }

    @Test
    void givenTheWrongNumberOfPartsOrADanglingEscape_whenParsed_thenAClearError() {
        assertThatThrownBy(() -> CompositeKey.parse("a|b|c", 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a key of 4 parts, got 3");
        assertThatThrownBy(() -> CompositeKey.parse("a|b\\", 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("escape");
        assertThatThrownBy(() -> CompositeKey.of("a", null)).isInstanceOf(IllegalArgumentException.class);
    }
}

package io.ballast.auditor.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keys of a version under a steering patch: any patch id a producer can send comes back whole, and
 * an unpatched version's keys read exactly as they did before patches existed.
 */
class PatchedVersionKeysTest {

    private static final String MODEL = "bios|v2\\x|模型";
    private static final String CONTEXT = "occupation:a|b\\|c\\-médecin-🩺";

    @Test
    void givenHostilePatchIds_whenMadeIntoKeysAndParsed_thenEveryPartComesBackWhole() {
        // given patch ids holding the separator, the patch mark, escapes, a version-like prefix and non-Latin text
        List<String> patches = List.of(
                "bios-1-p1", "p|1", "+", "++1+", "1+2|3", "a\\|b\\\\c\\", "|", "\\", "3|4+5", "-7", "修补-🩹", " x ");

        for (String patch : patches) {
            // when each is the patch of an aggregate key and an audit key
            String aggregate = VersionContext.of(MODEL, 3, patch, CONTEXT);
            String audit = AuditKey.of(MODEL, 3, patch, CONTEXT, "gender|race");

            // then both parse back to exactly the parts they were made of
            assertThat(VersionContext.parse(aggregate)).isEqualTo(new VersionContext(MODEL, 3, patch, CONTEXT));
            assertThat(AuditKey.parse(audit)).isEqualTo(new AuditKey(MODEL, 3, patch, CONTEXT, "gender|race"));
            assertThat(VersionContext.parse(aggregate).attribute("gender|race").key())
                    .isEqualTo(audit);
        }
    }

    @Test
    void anUnpatchedVersionKeepsTheKeysItHadBeforePatchesAndAPatchJoinsItsVersionWithAPlus() {
        // then an unpatched key is the plain one stores and topics already hold
        assertThat(VersionContext.of("bios", 3, "occupation:cooks")).isEqualTo("bios|3|occupation:cooks");
        assertThat(VersionContext.of("bios", 3, null, "occupation:cooks")).isEqualTo("bios|3|occupation:cooks");
        assertThat(VersionContext.parse("bios|3|occupation:cooks"))
                .isEqualTo(new VersionContext("bios", 3, null, "occupation:cooks"));
        assertThat(AuditKey.of("bios", 3, "occupation:cooks", "gender")).isEqualTo("bios|3|occupation:cooks|gender");
        // and a patched one reads '<version>+<patch>', the patch escaped like any part
        assertThat(AuditKey.of("bios", 3, "bios-3-p1", "occupation:cooks", "gender"))
                .isEqualTo("bios|3+bios-3-p1|occupation:cooks|gender");
        assertThat(AuditKey.of("bios", 3, "p|1", "occupation:cooks", "gender"))
                .isEqualTo("bios|3+p\\|1|occupation:cooks|gender");
        // the empty patch and no patch are different keys (the auditor dead-letters a blank patch anyway)
        assertThat(VersionContext.of("bios", 3, "", "c"))
                .isEqualTo("bios|3+|c")
                .isNotEqualTo(VersionContext.of("bios", 3, "c"));
        assertThat(VersionContext.parse("bios|3+|c").steeringPatch()).isEmpty();
    }

    @Test
    void aVersionPartThatIsNotANumberBeforeItsFirstPlusIsNotAKey() {
        for (String bad : List.of("bios|+3|c", "bios|x+p|c", "bios||c", "bios|3 |c")) {
            assertThatThrownBy(() -> VersionContext.parse(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("version is not a number");
        }
    }
}

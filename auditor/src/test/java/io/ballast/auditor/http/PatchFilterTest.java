package io.ballast.auditor.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.auditor.topology.AuditKey;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rows name their steering patch, and the {@code patch} filter selects by it as {@code version} does by version. */
class PatchFilterTest {

    private static final AuditKey UNPATCHED = new AuditKey("bios", 3, null, "occupation:cooks", "gender");
    private static final AuditKey PATCHED = new AuditKey("bios", 3, "bios-3-p1", "occupation:cooks", "gender");
    private static final AuditKey HOSTILE = new AuditKey("bios", 3, "p|1+<b>&", "occupation:cooks", "gender");

    @Test
    void aRowNamesItsPatchAndNullWhenNone() {
        assertThat(AuditorHttpApi.describe(PATCHED)).containsEntry("version", 3).containsEntry("patch", "bios-3-p1");
        assertThat(AuditorHttpApi.describe(UNPATCHED)).containsEntry("patch", null);
    }

    @Test
    void givenAPatchFilter_thenOnlyThatPatchsRowsMatch_andAnEmptyOneMatchesTheUnpatchedRows() {
        // given a filter on one patch (its id URL-encoded), an empty one, and one on the version alone
        Map<String, String> onPatch = AuditorHttpApi.query(URI.create("/api/distributions?patch=p%7C1%2B%3Cb%3E%26"));
        Map<String, String> unpatched = AuditorHttpApi.query(URI.create("/api/distributions?version=3&patch="));
        Map<String, String> onVersion = AuditorHttpApi.query(URI.create("/api/distributions?version=3&context="));

        // then a patch id selects its rows exactly
        assertThat(AuditorHttpApi.matches(HOSTILE, onPatch)).isTrue();
        assertThat(AuditorHttpApi.matches(PATCHED, onPatch)).isFalse();
        assertThat(AuditorHttpApi.matches(UNPATCHED, onPatch)).isFalse();
        // and an empty patch selects the version without a patch
        assertThat(unpatched).containsEntry("patch", "");
        assertThat(AuditorHttpApi.matches(UNPATCHED, unpatched)).isTrue();
        assertThat(AuditorHttpApi.matches(PATCHED, unpatched)).isFalse();
        // while the version filter matches the version with or without a patch, and other empty filters stay none
        assertThat(onVersion).doesNotContainKey("context");
        assertThat(AuditorHttpApi.matches(UNPATCHED, onVersion)).isTrue();
        assertThat(AuditorHttpApi.matches(PATCHED, onVersion)).isTrue();
    }

    @Test
    void aPeerIsAskedWithThePatchFilterTheEmptyOneIncluded() {
        assertThat(PeerQuery.peerQuery(Map.of("patch", "p|1+"))).isEqualTo("local=true&patch=p%7C1%2B");
        assertThat(PeerQuery.peerQuery(Map.of("version", "3", "patch", ""))).isEqualTo("local=true&version=3&patch=");
    }
}

package io.ballast.auditor.topology;

import java.nio.charset.StandardCharsets;

/**
 * Which outputs are audited when not all are (an encoder classifier reads tens of texts a second per
 * core, not thousands): a uniform random share {@code rate}, decided by a hash of the event id, so
 * the choice is independent of everything the audit counts and the same on every re-read. The
 * always-valid tests stay valid on a random sample; they just see fewer outputs.
 */
public record AuditSample(double rate) {

    public AuditSample {
        if (!(rate > 0 && rate <= 1)) {
            throw new IllegalArgumentException("sample rate must be in (0, 1]: " + rate);
        }
    }

    public boolean audits(String eventId) {
        if (rate >= 1) {
            return true;
        }
        // 64-bit FNV-1a, then a finaliser: a well-spread uniform in [0, 1) from any id
        long h = 0xcbf29ce484222325L;
        for (byte b : eventId.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (h >>> 11) * 0x1.0p-53 < rate;
    }
}

package io.ballast.schemas.serde;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12.2 refuses to instantiate generated classes outside trusted packages unless a system
 * property says otherwise; a serde that only works with a flag on the command line is a trap for
 * whoever embeds it, so the serde trusts Ballast's own contract package itself, once, keeping
 * whatever else the JVM trusts.
 */
final class TrustedContracts {

    private static boolean installed;

    private TrustedContracts() {}

    static synchronized void install() {
        if (installed) {
            return;
        }
        ClassSecurityValidator.ClassSecurityPredicate ballast = c -> c.getName().startsWith("io.ballast.schemas.");
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), ballast));
        installed = true;
    }
}

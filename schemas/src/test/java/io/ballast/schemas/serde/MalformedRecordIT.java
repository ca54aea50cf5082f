package io.ballast.schemas.serde;

import io.ballast.embedded.LocalCluster;

/**
 * The malformed-record specifications of {@link MalformedRecordTest} against the real registry
 * (Apicurio in a child JVM): proves the in-memory registry's answers, 404 for an unknown id above
 * all, are the ones the serde gets in production.
 */
class MalformedRecordIT extends MalformedRecordTest {

    @Override
    protected String registryUrl() {
        return LocalCluster.shared().registryUrl();
    }
}

package io.ballast.auditor.topology;

import io.ballast.embedded.LocalCluster;

/**
 * The specifications of {@link AuditTopologyTest} with the topology's serdes against the real
 * registry (Apicurio in a child JVM), still on {@code TopologyTestDriver}: what the unit test's
 * in-memory registry stands in for.
 */
class AuditTopologyIT extends AuditTopologyTest {

    @Override
    protected String registryUrl() {
        return LocalCluster.shared().registryUrl();
    }
}

package io.ballast.auditor.topology;

/** One attribute of one output, keyed for aggregation by {@link #auditKey()}. */
public record AttributeObservation(
        String modelId,
        int modelVersion,
        String contextKey,
        String attribute,
        String counted,
        boolean judgeable,
        boolean consistent,
        long eventMillis) {

    /** {@code <modelId>|<version>|<contextKey>|<attribute>}: one rolling distribution each. */
    public String auditKey() {
        return AuditKey.of(modelId, modelVersion, contextKey, attribute);
    }
}

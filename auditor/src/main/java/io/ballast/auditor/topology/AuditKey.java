package io.ballast.auditor.topology;

/** The key of one rolling distribution: {@code <modelId>|<version>|<contextKey>|<attribute>}. */
public record AuditKey(String modelId, int modelVersion, String contextKey, String attribute) {

    public static String of(String modelId, int version, String contextKey, String attribute) {
        return modelId + "|" + version + "|" + contextKey + "|" + attribute;
    }

    public static AuditKey parse(String key) {
        String[] p = key.split("\\|", 4);
        if (p.length != 4) {
            throw new IllegalArgumentException("not an audit key: " + key);
        }
        return new AuditKey(p[0], Integer.parseInt(p[1]), p[2], p[3]);
    }

    /** Key of drift signals: one stream of episodes per (model, context, attribute) across versions. */
    public String driftKey() {
        return modelId + "|" + contextKey + "|" + attribute;
    }
}

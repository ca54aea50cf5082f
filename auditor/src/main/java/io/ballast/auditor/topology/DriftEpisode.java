package io.ballast.auditor.topology;

/**
 * Drift state of one (model version, context, attribute), kept in its {@link ContextCounts}; MAE and
 * n (outputs that express the attribute) as at the last transition.
 */
public record DriftEpisode(
        String episodeId,
        boolean open,
        long openedAtMillis,
        long resolvedAtMillis,
        double lastMae,
        long n,
        String lastSignalId) {}

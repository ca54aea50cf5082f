package io.ballast.auditor.topology;

import io.ballast.schemas.DriftStatus;

/**
 * Drift state of one (model version, context, attribute), kept in its {@link ContextCounts}; MAE and
 * n (outputs that express the attribute) as at the last transition. An episode is OPEN until the
 * shares come back (RESOLVED) or its version stops serving (SUPERSEDED); {@code closedAtMillis} is
 * when either happened, 0 while open.
 */
public record DriftEpisode(
        String episodeId,
        DriftStatus status,
        long openedAtMillis,
        long closedAtMillis,
        double lastMae,
        long n,
        String lastSignalId) {

    public boolean open() {
        return status == DriftStatus.OPEN;
    }
}

package io.ballast.auditor.topology;

/** Drift state of one (model version, context, attribute), kept in the auditor's state store. */
public record DriftEpisode(
        String episodeId,
        boolean open,
        long openedAtMillis,
        long resolvedAtMillis,
        double lastMae,
        long n,
        String lastSignalId) {

    public static DriftEpisode none() {
        return new DriftEpisode(null, false, 0, 0, 0, 0, null);
    }
}

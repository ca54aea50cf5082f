package io.ballast.auditor.topology;

import io.ballast.schemas.DistributionSnapshot;
import io.ballast.schemas.SnapshotScope;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.attributes.DistributionComparison;
import java.time.Instant;
import java.util.HashMap;

/** Builds a {@link DistributionSnapshot} from counts and the target in force. */
public final class Snapshots {

    private Snapshots() {}

    public static DistributionSnapshot of(
            AuditKey key,
            CategoryCounts counts,
            TargetDistribution target,
            SnapshotScope scope,
            Long windowStart,
            Long windowEnd) {
        DistributionSnapshot.Builder b = DistributionSnapshot.newBuilder()
                .setModelId(key.modelId())
                .setModelVersion(key.modelVersion())
                .setContextKey(key.contextKey())
                .setAttribute(key.attribute())
                .setScope(scope)
                .setWindowStart(windowStart == null ? null : Instant.ofEpochMilli(windowStart))
                .setWindowEnd(windowEnd == null ? null : Instant.ofEpochMilli(windowEnd))
                .setCounts(new HashMap<>(counts.counts()))
                .setProportions(new HashMap<>(DistributionComparison.proportions(counts.counts())))
                .setN(counts.n())
                .setConsistentCount(counts.consistent())
                .setConsistencyRate(counts.consistencyRate())
                .setEmittedAt(Instant.now());
        if (target != null) {
            DistributionComparison c = DistributionComparison.of(counts.counts(), target.getProbabilities());
            b.setTarget(new HashMap<>(target.getProbabilities()))
                    .setTolerance(target.getTolerance())
                    .setMae(c.mae())
                    .setTotalVariation(c.totalVariation())
                    .setKlDivergence(c.klDivergence())
                    .setJsDivergence(c.jsDivergence());
        }
        return b.build();
    }
}

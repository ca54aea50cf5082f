package io.ballast.auditor.topology;

import io.ballast.schemas.DistributionSnapshot;
import io.ballast.schemas.SnapshotScope;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.attributes.DistributionComparison;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link DistributionSnapshot} from counts and the target in force: shares and the
 * comparison over the outputs that express the attribute, with the expression rate beside them.
 */
public final class Snapshots {

    private Snapshots() {}

    public static DistributionSnapshot of(
            AuditKey key,
            Tally tally,
            List<String> categories,
            TargetDistribution target,
            ExpressionPolicy policy,
            SnapshotScope scope,
            Long windowStart,
            Long windowEnd) {
        Map<String, Long> expressedCounts = tally.expressedCounts(categories);
        long n = tally.n();
        long expressed =
                expressedCounts.values().stream().mapToLong(Long::longValue).sum();
        ExpressionPolicy.Expression expression = policy.of(n, expressed);
        DistributionSnapshot.Builder b = DistributionSnapshot.newBuilder()
                .setModelId(key.modelId())
                .setModelVersion(key.modelVersion())
                .setSteeringPatch(key.steeringPatch())
                .setContextKey(key.contextKey())
                .setAttribute(key.attribute())
                .setScope(scope)
                .setWindowStart(windowStart == null ? null : Instant.ofEpochMilli(windowStart))
                .setWindowEnd(windowEnd == null ? null : Instant.ofEpochMilli(windowEnd))
                .setCounts(new HashMap<>(tally.counts(categories)))
                .setProportions(new HashMap<>(DistributionComparison.proportions(expressedCounts)))
                .setN(n)
                .setConsistentCount(tally.consistent())
                .setConsistencyRate(tally.consistencyRate())
                .setExpressed(expressed)
                .setExpressionRate(expression.rate())
                .setTooFewExpressed(expression.tooFew())
                .setExpressionRateBelowBound(expression.belowBound())
                .setEmittedAt(Instant.now());
        if (target != null) {
            DistributionComparison c = DistributionComparison.of(expressedCounts, target.getProbabilities());
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

package io.ballast.auditor.topology;

import io.ballast.auditor.drift.RateBoundSequence;
import io.ballast.schemas.BoundReading;
import io.ballast.schemas.DistributionSnapshot;
import io.ballast.schemas.SnapshotScope;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.attributes.DistributionComparison;
import io.ballast.schemas.attributes.Toxicity;
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

    /**
     * A since-live snapshot of toxicity against its bound: counts and shares of toxic and non-toxic
     * outputs (every output judged expresses it), and the bounded category's rate with its interval
     * and limit in {@code bound}; no target distribution, so nothing reads the limit as one.
     */
    public static DistributionSnapshot ofLimit(AuditKey key, ToxicityLimit limit, RateBoundSequence.Reading reading) {
        String other = Toxicity.TOXIC.equals(limit.category()) ? Toxicity.NON_TOXIC : Toxicity.TOXIC;
        Map<String, Long> counts = new HashMap<>();
        Map<String, Double> proportions = new HashMap<>();
        if (reading.n() > 0) {
            counts.put(limit.category(), reading.successes());
            counts.put(other, reading.n() - reading.successes());
            proportions.put(limit.category(), reading.rate());
            proportions.put(other, 1 - reading.rate());
        }
        return DistributionSnapshot.newBuilder()
                .setModelId(key.modelId())
                .setModelVersion(key.modelVersion())
                .setSteeringPatch(key.steeringPatch())
                .setContextKey(key.contextKey())
                .setAttribute(key.attribute())
                .setScope(SnapshotScope.SINCE_LIVE)
                .setCounts(counts)
                .setProportions(proportions)
                .setN(reading.n())
                .setConsistentCount(0)
                .setExpressed(reading.n())
                .setExpressionRate(reading.n() == 0 ? null : 1.0)
                .setBound(new BoundReading(
                        limit.category(),
                        limit.maxShare(),
                        reading.rate(),
                        reading.lower(),
                        reading.upper(),
                        reading.exceeded()))
                .setEmittedAt(Instant.now())
                .build();
    }
}

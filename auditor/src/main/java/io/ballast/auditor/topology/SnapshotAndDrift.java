package io.ballast.auditor.topology;

import io.ballast.auditor.drift.DriftDetector;
import io.ballast.schemas.ConfidenceInterval;
import io.ballast.schemas.DistributionSnapshot;
import io.ballast.schemas.DriftSignal;
import io.ballast.schemas.DriftStatus;
import io.ballast.schemas.SnapshotScope;
import io.ballast.schemas.TargetDistribution;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * For every update of a since-live distribution: a snapshot against the target in force, then the
 * drift decision. Emits at most one OPEN signal per episode and one RESOLVED when it ends; the
 * episode state lives in a changelogged store, so a restart neither repeats nor forgets a signal.
 */
final class SnapshotAndDrift implements Processor<String, CategoryCounts, String, SpecificRecord> {

    private final DriftDetector detector;
    private final AuditMetrics metrics;
    private ProcessorContext<String, SpecificRecord> context;
    private ReadOnlyKeyValueStore<String, ?> targets;
    private KeyValueStore<String, DriftEpisode> episodes;

    SnapshotAndDrift(DriftDetector detector, AuditMetrics metrics) {
        this.detector = detector;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.targets = context.getStateStore(AuditTopology.TARGETS_STORE);
        this.episodes = context.getStateStore(AuditTopology.DRIFT_STORE);
    }

    @Override
    public void process(Record<String, CategoryCounts> record) {
        AuditKey key = AuditKey.parse(record.key());
        CategoryCounts counts = record.value();
        TargetDistribution target = TargetLookup.find(targets, key.attribute(), key.contextKey());
        DistributionSnapshot snapshot = Snapshots.of(key, counts, target, SnapshotScope.SINCE_LIVE, null, null);
        context.forward(record.withValue(snapshot));
        if (target == null) {
            return;
        }
        metrics.mae(key, snapshot.getMae());
        DriftEpisode state = episodes.get(record.key());
        if (state == null) {
            state = DriftEpisode.none();
        }
        DriftDetector.Assessment assessment =
                detector.assess(counts.counts(), target.getProbabilities(), target.getTolerance());
        long now = record.timestamp();
        switch (DriftDetector.next(state.open(), assessment)) {
            case OPEN -> {
                String episodeId = UUID.randomUUID().toString();
                DriftSignal signal =
                        signal(DriftStatus.OPEN, episodeId, key, counts, target, snapshot, assessment, now, now);
                episodes.put(
                        record.key(),
                        new DriftEpisode(episodeId, true, now, 0, snapshot.getMae(), counts.n(), signal.getSignalId()));
                metrics.episodeOpened(record.key());
                context.forward(new Record<>(key.driftKey(), signal, now));
            }
            case RESOLVE -> {
                DriftSignal signal = signal(
                        DriftStatus.RESOLVED,
                        state.episodeId(),
                        key,
                        counts,
                        target,
                        snapshot,
                        assessment,
                        state.openedAtMillis(),
                        now);
                episodes.put(
                        record.key(),
                        new DriftEpisode(
                                state.episodeId(),
                                false,
                                state.openedAtMillis(),
                                now,
                                snapshot.getMae(),
                                counts.n(),
                                signal.getSignalId()));
                metrics.episodeClosed(record.key());
                context.forward(new Record<>(key.driftKey(), signal, now));
            }
            case NONE ->
                episodes.put(
                        record.key(),
                        new DriftEpisode(
                                state.episodeId(),
                                state.open(),
                                state.openedAtMillis(),
                                state.resolvedAtMillis(),
                                snapshot.getMae(),
                                counts.n(),
                                state.lastSignalId()));
        }
    }

    private DriftSignal signal(
            DriftStatus status,
            String episodeId,
            AuditKey key,
            CategoryCounts counts,
            TargetDistribution target,
            DistributionSnapshot snapshot,
            DriftDetector.Assessment a,
            long openedAt,
            long now) {
        Map<String, ConfidenceInterval> intervals = new HashMap<>();
        a.intervals().forEach((c, ci) -> intervals.put(c, new ConfidenceInterval(ci[0], ci[1])));
        return DriftSignal.newBuilder()
                .setSignalId(UUID.randomUUID().toString())
                .setEpisodeId(episodeId)
                .setStatus(status)
                .setModelId(key.modelId())
                .setModelVersion(key.modelVersion())
                .setContextKey(key.contextKey())
                .setAttribute(key.attribute())
                .setN(counts.n())
                .setObserved(new HashMap<>(snapshot.getProportions()))
                .setTarget(new HashMap<>(target.getProbabilities()))
                .setTolerance(target.getTolerance())
                .setIntervals(intervals)
                .setViolatingCategories(status == DriftStatus.OPEN ? a.violating() : List.of())
                .setMae(snapshot.getMae())
                .setAlpha(detector.alpha())
                .setOpenedAt(Instant.ofEpochMilli(openedAt))
                .setEmittedAt(Instant.ofEpochMilli(now))
                .build();
    }
}

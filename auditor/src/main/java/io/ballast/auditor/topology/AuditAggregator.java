package io.ballast.auditor.topology;

import io.ballast.auditor.drift.ChangeDetector;
import io.ballast.auditor.drift.ChangeState;
import io.ballast.auditor.drift.DriftDetector;
import io.ballast.auditor.drift.RateBoundSequence;
import io.ballast.schemas.ConfidenceInterval;
import io.ballast.schemas.DistributionSnapshot;
import io.ballast.schemas.DriftSignal;
import io.ballast.schemas.DriftStatus;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.SnapshotScope;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.attributes.DistributionComparison;
import io.ballast.schemas.attributes.Toxicity;
import io.ballast.schemas.domain.Attribute;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * One update per event of its (model version, steering patch, context) aggregate, and the drift
 * decision for each attribute on that update; snapshots of every changed aggregate on a wall-clock
 * punctuation.
 *
 * <p>Everything runs inside the task's exactly-once transactions: the aggregate store is
 * changelogged (written behind, before every commit: {@link AggregateStore}), and signals
 * (forwarded while processing) and snapshots (forwarded from the punctuator) are written in the
 * transaction of the offsets that produced them. Emits at most one OPEN signal per episode and one
 * RESOLVED or SUPERSEDED when it ends; episodes live in the aggregate, so a restart neither repeats
 * nor forgets a signal.
 *
 * <p>An episode is about one serving state of a model: a version, with or without a steering patch
 * ({@link PatchedVersion}), and only that state's outputs can resolve it. A state that stops serving
 * would leave it open forever, so on each snapshot its open episodes close as SUPERSEDED once
 * another state of the model is announced on {@code ballast.model-updates} (a global table): another
 * version, or the same version with another patch or none (a PATCH that sets, replaces or retires
 * one), or once the state had no event in this task for the idle time (event time of its latest
 * event against wall-clock time: a generator that never announces). A state other than the announced
 * one opens no episode: its stragglers after a promotion or a patch are not news. The task's open
 * episodes are counted from its store when it starts (after a restart, rebalance or aborted
 * transaction) and kept by every transition, and that count is the open-episodes gauge.
 *
 * <p>Toxicity is audited beside the attributes when a bound on it is in force ({@link
 * ToxicityLimit}): its rate since live against the limit, one-sided, in the same episodes (slot
 * {@link ContextCounts#TOXICITY}), opened, resolved and superseded like the attributes' ones, and
 * snapshotted since live (a rate of a few in a thousand needs more outputs than a window holds).
 *
 * <p>The hot path allocates little: the target in force per (context, attribute) and its drift
 * {@link DriftDetector.Plan} are looked up once per snapshot interval (a changed target applies
 * from the next snapshot on), and only a transition builds the evidence for its signal.
 */
final class AuditAggregator implements Processor<String, ObservedEvent, String, SpecificRecord> {

    private static final Attribute[] ATTRIBUTES = ContextCounts.ATTRIBUTES;

    private final DriftDetector detector;
    private final ChangeDetector change;
    private final ContextCounts.Windows windows;
    private final ExpressionPolicy policy;
    private final Duration snapshotInterval;
    private final AuditMetrics metrics;
    private final Duration versionIdle;
    private ProcessorContext<String, SpecificRecord> context;
    private ReadOnlyKeyValueStore<String, ?> targets;
    private ReadOnlyKeyValueStore<String, ?> announcements;
    private String task;
    /** This task's open episodes, as its aggregates hold them: counted from the store at init, then kept. */
    private final Set<EpisodeRef> openEpisodes = new HashSet<>();
    /**
     * Per serving state (model version and patch), the latest event time among this task's aggregates
     * (from the store at init, then per snapshot).
     */
    private final Map<ServingState, Long> versionLastEvent = new HashMap<>();

    private KeyValueStore<String, ContextCounts> aggregates;
    /** Per context key, per attribute: the target in force and its plan; cleared at every snapshot. */
    private final Map<String, Prepared[]> prepared = new HashMap<>();
    /** Per context key, the bound on toxicity in force (null values: none); cleared at every snapshot. */
    private final Map<String, ToxicityLimit> limits = new HashMap<>();
    /**
     * The aggregates as objects, so an update does not read and decode its aggregate from the store
     * first. Every update is still put to the store (which writes it to RocksDB and its changelog
     * before the commit of its input); this only mirrors what the store holds, and is dropped
     * whenever the task is (re)initialised, as after an aborted transaction, when the store is restored.
     */
    private final Map<String, ContextCounts> live = new HashMap<>();

    private static final int MAX_LIVE = 20_000;
    /** Per context key, the aggregate key of the model version and patch its latest event named. */
    private final Map<String, KeyOfContext> keys = new HashMap<>();
    /** Aggregates changed since the last snapshot, with the oldest time bucket each changed. */
    private final Map<String, Long> dirty = new LinkedHashMap<>();
    /** The share of outputs audited ({@link AuditSample}), reported beside every distribution. */
    private final double sampleRate;

    /** After (re)initialisation, snapshot every aggregate once: what was pending before a restart is not known. */
    private boolean snapshotAll;

    AuditAggregator(
            DriftDetector detector,
            ChangeDetector change,
            ContextCounts.Windows windows,
            ExpressionPolicy policy,
            Duration snapshotInterval,
            Duration versionIdle,
            double sampleRate,
            AuditMetrics metrics) {
        this.sampleRate = sampleRate;
        this.detector = detector;
        this.change = change;
        this.windows = windows;
        this.policy = policy;
        this.snapshotInterval = snapshotInterval;
        this.versionIdle = versionIdle;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.targets = context.getStateStore(AuditTopology.TARGETS_STORE);
        this.aggregates = context.getStateStore(AuditTopology.AGGREGATES_STORE);
        this.announcements = context.getStateStore(AuditTopology.MODEL_UPDATES_STORE);
        this.task = context.taskId().toString();
        this.prepared.clear();
        this.limits.clear();
        this.live.clear();
        this.dirty.clear();
        this.snapshotAll = true;
        countFromStore();
        context.schedule(snapshotInterval, PunctuationType.WALL_CLOCK_TIME, this::snapshot);
    }

    /**
     * The open episodes and each version's latest event, from the aggregates as the store holds them
     * (restored from the changelog after a restart or rebalance), so the gauge and the idle test start
     * right instead of from zero.
     */
    private void countFromStore() {
        openEpisodes.clear();
        versionLastEvent.clear();
        try (KeyValueIterator<String, ContextCounts> it = aggregates.all()) {
            while (it.hasNext()) {
                KeyValue<String, ContextCounts> kv = it.next();
                for (int a = 0; a < ContextCounts.EPISODE_SLOTS; a++) {
                    DriftEpisode episode = kv.value.episode(a);
                    if (episode != null && episode.open()) {
                        openEpisodes.add(new EpisodeRef(kv.key, a));
                    }
                }
                seen(kv.key, kv.value);
            }
        }
        metrics.openEpisodes(task, openEpisodes.size());
    }

    private void seen(String aggregateKey, ContextCounts counts) {
        VersionContext vc = VersionContext.parse(aggregateKey);
        versionLastEvent.merge(new ServingState(vc.modelId(), vc.served()), counts.lastEventMillis(), Math::max);
    }

    @Override
    public void process(Record<String, ObservedEvent> record) {
        ObservedEvent event = record.value();
        String key = aggregateKey(event);
        ContextCounts counts = load(key);
        if (counts == null) {
            counts = ContextCounts.empty();
            if (live.size() >= MAX_LIVE) {
                live.clear();
            }
            live.put(key, counts);
        }
        long bucket;
        // interactive queries copy an aggregate under its monitor (AggregateStore)
        synchronized (counts) {
            bucket = counts.add(event, windows);
            Prepared[] plans = prepared(event.contextKey());
            for (int a = 0; a < ATTRIBUTES.length; a++) {
                if (plans[a] != null) {
                    decide(event, counts, a, plans[a], record.timestamp());
                }
            }
            ToxicityLimit limit = limit(event.contextKey());
            if (limit != null && event.toxic() != null) {
                decide(event, counts, limit, record.timestamp());
            }
        }
        aggregates.put(key, counts);
        Long since = dirty.get(key);
        if (since == null || (bucket != Long.MIN_VALUE && bucket < since)) {
            dirty.put(key, bucket == Long.MIN_VALUE ? Long.MAX_VALUE : bucket);
        }
    }

    /** The event's aggregate key, built once per context and model version (and patch), not once per event. */
    private String aggregateKey(ObservedEvent event) {
        KeyOfContext k = keys.get(event.contextKey());
        if (k == null
                || k.modelVersion != event.modelVersion()
                || !k.modelId.equals(event.modelId())
                || !Objects.equals(k.steeringPatch, event.steeringPatch())) {
            if (keys.size() >= MAX_LIVE) {
                keys.clear();
            }
            k = new KeyOfContext(event.modelId(), event.modelVersion(), event.steeringPatch(), event.aggregateKey());
            keys.put(event.contextKey(), k);
        }
        return k.key;
    }

    private record KeyOfContext(String modelId, int modelVersion, String steeringPatch, String key) {}

    /**
     * The drift decision for one attribute after an update, over the outputs that express it: the
     * change detector ({@link ChangeDetector}) alarms or resolves, and the signal reports the outputs
     * that decided it (since the start that alarmed, or since the alarm).
     */
    private void decide(ObservedEvent event, ContextCounts counts, int a, Prepared p, long now) {
        Tally tally = counts.sinceLive(a);
        long expressed = tally.expressed(ATTRIBUTES[a]);
        if (!policy.testable(expressed)) {
            return;
        }
        for (int i = 0; i < p.at.length; i++) {
            p.at[i] = p.index[i] >= 0 ? p.index[i] : counts.indexOf(a, p.categories[i]);
        }
        DriftEpisode state = counts.episode(a);
        boolean open = state != null && state.open();
        ChangeState watch = watch(counts, a);
        ChangeDetector.Transition next = change.next(watch, p.evidence, p.resolution, open, tally.counts, expressed);
        if (next == ChangeDetector.Transition.NONE
                || (next == ChangeDetector.Transition.ALARM
                        && announcedOther(
                                        event.modelId(),
                                        new PatchedVersion(event.modelVersion(), event.steeringPatch()))
                                != null)) {
            return;
        }
        DriftDetector.Transition transition = next == ChangeDetector.Transition.ALARM
                ? DriftDetector.Transition.OPEN
                : DriftDetector.Transition.RESOLVE;
        // a transition is rare: now build its evidence, every expressed category since the deciding start
        AuditKey auditKey = new AuditKey(
                event.modelId(), event.modelVersion(), event.steeringPatch(), event.contextKey(), ATTRIBUTES[a].key());
        TargetDistribution target = p.target;
        long[] decided = new long[tally.counts.length];
        expressed = watch.evidenceSince(tally.counts, expressed, decided);
        Map<String, Long> expressedCounts = new Tally(decided, 0, 0).expressedCounts(counts.categories(a));
        watch.restart(tally.counts, tally.expressed(ATTRIBUTES[a]));
        DriftDetector.Assessment assessment =
                detector.assess(expressedCounts, target.getProbabilities(), target.getTolerance());
        double mae = DistributionComparison.of(expressedCounts, target.getProbabilities())
                .mae();
        if (transition == DriftDetector.Transition.OPEN) {
            String episodeId = UUID.randomUUID().toString();
            DriftSignal signal = signal(
                    DriftStatus.OPEN,
                    episodeId,
                    auditKey,
                    expressed,
                    expressedCounts,
                    target,
                    mae,
                    assessment,
                    now,
                    now);
            transition(
                    event.aggregateKey(),
                    counts,
                    a,
                    new DriftEpisode(episodeId, DriftStatus.OPEN, now, 0, mae, expressed, signal.getSignalId()),
                    auditKey,
                    signal,
                    now);
        } else {
            DriftSignal signal = signal(
                    DriftStatus.RESOLVED,
                    state.episodeId(),
                    auditKey,
                    expressed,
                    expressedCounts,
                    target,
                    mae,
                    assessment,
                    state.openedAtMillis(),
                    now);
            transition(
                    event.aggregateKey(),
                    counts,
                    a,
                    new DriftEpisode(
                            state.episodeId(),
                            DriftStatus.RESOLVED,
                            state.openedAtMillis(),
                            now,
                            mae,
                            expressed,
                            signal.getSignalId()),
                    auditKey,
                    signal,
                    now);
        }
    }

    /** A slot's change detector state, begun at live (zero counts) on its first decision. */
    private static ChangeState watch(ContextCounts counts, int slot) {
        ChangeState watch = counts.change(slot);
        if (watch == null) {
            watch = ChangeState.from(new long[0], 0);
            counts.change(slot, watch);
        }
        return watch;
    }

    /**
     * The drift decision for toxicity's bound after an update, by the same change detector: an
     * episode opens when the rate is shown above the limit since some start, and resolves once the
     * upper bound of the rate since the alarm lies below it (a rate that settles at the limit keeps
     * it open: it is not shown to hold).
     */
    private void decide(ObservedEvent event, ContextCounts counts, ToxicityLimit limit, long now) {
        DriftEpisode state = counts.episode(ContextCounts.TOXICITY);
        boolean open = state != null && state.open();
        ChangeState watch = watch(counts, ContextCounts.TOXICITY);
        long[] split = ToxicityLimit.split(counts);
        long judged = limit.n(counts);
        if (change.next(watch, limit.evidence(), limit.resolution(), open, split, judged)
                == ChangeDetector.Transition.NONE) {
            return;
        }
        if (!open
                && announcedOther(event.modelId(), new PatchedVersion(event.modelVersion(), event.steeringPatch()))
                        != null) {
            return;
        }
        AuditKey auditKey = new AuditKey(
                event.modelId(), event.modelVersion(), event.steeringPatch(), event.contextKey(), Toxicity.KEY);
        long[] decided = new long[2];
        long n = watch.evidenceSince(split, judged, decided);
        RateBoundSequence.Reading reading = limit.reading(decided, n);
        watch.restart(split, judged);
        DriftStatus status = open ? DriftStatus.RESOLVED : DriftStatus.OPEN;
        String episodeId = open ? state.episodeId() : UUID.randomUUID().toString();
        long openedAt = open ? state.openedAtMillis() : now;
        DriftSignal signal = signal(status, episodeId, auditKey, limit, reading, openedAt, now);
        transition(
                event.aggregateKey(),
                counts,
                ContextCounts.TOXICITY,
                new DriftEpisode(
                        episodeId,
                        status,
                        openedAt,
                        open ? now : 0,
                        signal.getMae(),
                        reading.n(),
                        signal.getSignalId()),
                auditKey,
                signal,
                now);
    }

    /** An episode opens or resolves: kept in its aggregate, counted, and signalled. */
    private void transition(
            String aggregateKey,
            ContextCounts counts,
            int slot,
            DriftEpisode episode,
            AuditKey auditKey,
            DriftSignal signal,
            long now) {
        counts.episode(slot, episode);
        if (episode.open()) {
            openEpisodes.add(new EpisodeRef(aggregateKey, slot));
            metrics.episodeOpened();
        } else {
            openEpisodes.remove(new EpisodeRef(aggregateKey, slot));
        }
        metrics.openEpisodes(task, openEpisodes.size());
        signal.setClassifier(counts.classifierOf(slot));
        context.forward(new Record<>(auditKey.driftKey(), signal, now));
    }

    /**
     * Since-live and window snapshots of every aggregate changed since the last one; then the open
     * episodes of versions that stopped serving close.
     */
    private void snapshot(long now) {
        prepared.clear();
        limits.clear();
        for (String key : dirty.keySet()) {
            ContextCounts counts = load(key);
            if (counts != null) {
                seen(key, counts);
            }
        }
        emitSnapshots();
        supersede(now);
    }

    private void emitSnapshots() {
        if (snapshotAll) {
            snapshotAll = false;
            dirty.clear();
            try (KeyValueIterator<String, ContextCounts> it = aggregates.all()) {
                while (it.hasNext()) {
                    KeyValue<String, ContextCounts> kv = it.next();
                    emit(kv.key, kv.value, kv.value.oldestBucket());
                }
            }
            return;
        }
        for (Map.Entry<String, Long> d : dirty.entrySet()) {
            ContextCounts counts = load(d.getKey());
            if (counts != null) {
                emit(d.getKey(), counts, d.getValue());
            }
        }
        dirty.clear();
    }

    /** Closes, as SUPERSEDED, every open episode of this task whose version (and patch) no longer serves. */
    private void supersede(long now) {
        if (openEpisodes.isEmpty()) {
            return;
        }
        for (EpisodeRef ref : List.copyOf(openEpisodes)) {
            VersionContext vc = VersionContext.parse(ref.aggregateKey());
            ModelUpdate announced = announcedOther(vc.modelId(), vc.served());
            Long last = versionLastEvent.get(new ServingState(vc.modelId(), vc.served()));
            boolean idle = last != null && now - last >= versionIdle.toMillis();
            if (announced != null || idle) {
                close(ref, vc, now);
            }
        }
        metrics.openEpisodes(task, openEpisodes.size());
    }

    private void close(EpisodeRef ref, VersionContext vc, long now) {
        openEpisodes.remove(ref);
        ContextCounts counts = load(ref.aggregateKey());
        if (counts == null) {
            return;
        }
        int a = ref.attribute();
        AuditKey auditKey = vc.attribute(a == ContextCounts.TOXICITY ? Toxicity.KEY : ATTRIBUTES[a].key());
        DriftSignal signal;
        synchronized (counts) {
            DriftEpisode episode = counts.episode(a);
            if (episode == null || !episode.open()) {
                return;
            }
            if (a == ContextCounts.TOXICITY) {
                signal = supersededLimit(counts, episode, auditKey, now);
                counts.episode(
                        a,
                        new DriftEpisode(
                                episode.episodeId(),
                                DriftStatus.SUPERSEDED,
                                episode.openedAtMillis(),
                                now,
                                signal.getMae(),
                                signal.getN(),
                                signal.getSignalId()));
                aggregates.put(ref.aggregateKey(), counts);
                signal.setClassifier(counts.classifierOf(a));
                context.forward(new Record<>(auditKey.driftKey(), signal, now));
                return;
            }
            // the evidence as the version left it (since the change), against the target in force now
            TargetDistribution target = TargetLookup.distribution(targets, auditKey.attribute(), auditKey.contextKey());
            Tally tally = counts.sinceChange(a);
            Map<String, Long> expressedCounts = tally.expressedCounts(counts.categories(a));
            long expressed = tally.expressed(ATTRIBUTES[a]);
            DriftDetector.Assessment assessment = target == null
                    ? null
                    : detector.assess(expressedCounts, target.getProbabilities(), target.getTolerance());
            double mae = target == null
                    ? episode.lastMae()
                    : DistributionComparison.of(expressedCounts, target.getProbabilities())
                            .mae();
            signal = signal(
                    DriftStatus.SUPERSEDED,
                    episode.episodeId(),
                    auditKey,
                    expressed,
                    expressedCounts,
                    target,
                    mae,
                    assessment,
                    episode.openedAtMillis(),
                    now);
            counts.episode(
                    a,
                    new DriftEpisode(
                            episode.episodeId(),
                            DriftStatus.SUPERSEDED,
                            episode.openedAtMillis(),
                            now,
                            mae,
                            expressed,
                            signal.getSignalId()));
        }
        aggregates.put(ref.aggregateKey(), counts);
        signal.setClassifier(counts.classifierOf(a));
        context.forward(new Record<>(auditKey.driftKey(), signal, now));
    }

    /**
     * The model's announced serving state if it is another than this one (null: this one, or none
     * announced): another version, or this version with another patch or none. Every update states
     * the whole serving state, so a PROMOTE or ROLLBACK (patch null) supersedes a patched variant of
     * even the version it names, and a PATCH supersedes the version's unpatched variant and any
     * other patch of it.
     */
    /**
     * The SUPERSEDED signal of toxicity's episode: the rate as the version left it, against the limit
     * in force now; with none in force any more, the rate alone and the excess as at the last transition.
     */
    private DriftSignal supersededLimit(ContextCounts counts, DriftEpisode episode, AuditKey auditKey, long now) {
        ToxicityLimit limit = ToxicityLimit.find(targets, auditKey.contextKey(), detector.alpha());
        if (limit != null) {
            return signal(
                    DriftStatus.SUPERSEDED,
                    episode.episodeId(),
                    auditKey,
                    limit,
                    limit.readingSinceChange(counts),
                    episode.openedAtMillis(),
                    now);
        }
        long n = counts.toxicityJudged();
        double rate = n == 0 ? 0 : counts.toxic() / (double) n;
        return DriftSignal.newBuilder()
                .setSignalId(UUID.randomUUID().toString())
                .setEpisodeId(episode.episodeId())
                .setStatus(DriftStatus.SUPERSEDED)
                .setModelId(auditKey.modelId())
                .setModelVersion(auditKey.modelVersion())
                .setSteeringPatch(auditKey.steeringPatch())
                .setContextKey(auditKey.contextKey())
                .setAttribute(auditKey.attribute())
                .setN(n)
                .setObserved(new HashMap<>(Map.of(Toxicity.TOXIC, rate, Toxicity.NON_TOXIC, 1 - rate)))
                .setTarget(new HashMap<>())
                .setTolerance(0)
                .setIntervals(new HashMap<>())
                .setMae(episode.lastMae())
                .setAlpha(detector.alpha())
                .setOpenedAt(Instant.ofEpochMilli(episode.openedAtMillis()))
                .setEmittedAt(Instant.ofEpochMilli(now))
                .build();
    }

    private ModelUpdate announcedOther(String modelId, PatchedVersion served) {
        Object v = announcements.get(modelId);
        ModelUpdate update = (ModelUpdate) (v instanceof ValueAndTimestamp<?> vt ? vt.value() : v);
        if (update == null) {
            return null;
        }
        String patch = update.getPatch() == null ? null : update.getPatch().getPatchId();
        return update.getVersion() != served.version() || !Objects.equals(patch, served.patch()) ? update : null;
    }

    private ContextCounts load(String key) {
        ContextCounts counts = live.get(key);
        if (counts == null) {
            counts = aggregates.get(key);
            if (counts != null) {
                if (live.size() >= MAX_LIVE) {
                    live.clear();
                }
                live.put(key, counts);
            }
        }
        return counts;
    }

    @Override
    public void close() {
        live.clear();
        // the task moved or stopped: its episodes are counted by whichever instance runs it next
        metrics.taskClosed(task);
    }

    /** One attribute's episode in one aggregate. */
    private record EpisodeRef(String aggregateKey, int attribute) {}

    /** A model's version and patch: what its episodes are about. */
    private record ServingState(String modelId, PatchedVersion served) {}

    private void emit(String key, ContextCounts counts, long fromBucket) {
        VersionContext vc = VersionContext.parse(key);
        long timestamp = counts.lastEventMillis();
        List<Long> windowStarts = fromBucket == Long.MAX_VALUE ? List.of() : counts.openWindows(fromBucket, windows);
        for (int a = 0; a < ATTRIBUTES.length; a++) {
            AuditKey auditKey = vc.attribute(ATTRIBUTES[a].key());
            String outKey = auditKey.key();
            TargetDistribution target = TargetLookup.distribution(targets, auditKey.attribute(), auditKey.contextKey());
            DistributionSnapshot live = Snapshots.of(
                    auditKey,
                    counts.sinceLive(a),
                    counts.categories(a),
                    target,
                    policy,
                    SnapshotScope.SINCE_LIVE,
                    null,
                    null);
            live.setClassifier(counts.classifierOf(a));
            live.setIntended(new HashMap<>(counts.intended(a)));
            live.setSampleRate(sampleRate);
            context.forward(new Record<>(outKey, live, timestamp));
            metrics.expressionRate(auditKey, live.getExpressionRate());
            if (target != null) {
                metrics.mae(auditKey, live.getMae());
            }
            for (long start : windowStarts) {
                DistributionSnapshot window = Snapshots.of(
                        auditKey,
                        counts.window(a, start, windows),
                        counts.categories(a),
                        target,
                        policy,
                        SnapshotScope.WINDOW,
                        start,
                        start + windows.size());
                window.setClassifier(counts.classifierOf(a));
                window.setSampleRate(sampleRate);
                context.forward(new Record<>(outKey, window, timestamp));
            }
        }
        ToxicityLimit limit = limit(vc.contextKey());
        if (limit != null) {
            AuditKey auditKey = vc.attribute(Toxicity.KEY);
            RateBoundSequence.Reading reading = limit.reading(counts);
            DistributionSnapshot bound = Snapshots.ofLimit(auditKey, limit, reading);
            bound.setClassifier(counts.classifierOf(ContextCounts.TOXICITY));
            bound.setSampleRate(sampleRate);
            context.forward(new Record<>(auditKey.key(), bound, timestamp));
            metrics.rate(auditKey, limit.category(), reading.rate(), limit.maxShare());
        }
    }

    /** The bound on toxicity in force for a context, looked up once per snapshot interval. */
    private ToxicityLimit limit(String contextKey) {
        if (limits.containsKey(contextKey)) {
            return limits.get(contextKey);
        }
        ToxicityLimit limit = ToxicityLimit.find(targets, contextKey, detector.alpha());
        limits.put(contextKey, limit);
        return limit;
    }

    private Prepared[] prepared(String contextKey) {
        Prepared[] p = prepared.get(contextKey);
        if (p == null) {
            p = new Prepared[ATTRIBUTES.length];
            for (int a = 0; a < ATTRIBUTES.length; a++) {
                // a bound-only target has no distribution to test; a bound on an attribute's category is not audited
                TargetDistribution target = TargetLookup.distribution(targets, ATTRIBUTES[a].key(), contextKey);
                p[a] = target == null ? null : new Prepared(ATTRIBUTES[a], target, detector);
            }
            prepared.put(contextKey, p);
        }
        return p;
    }

    /** A target in force, its categories' indices in an aggregate, its plan, and room for the counts to test. */
    private static final class Prepared {
        final TargetDistribution target;
        final String[] categories;
        final int[] index;
        /** Per target category, its index in the aggregate at hand (set before each decision). */
        final int[] at;
        /** The target's categories' counts picked from an aggregate's, for the plan. */
        private final long[] selected;

        final DriftDetector.Plan plan;
        final ChangeDetector.Evidence evidence;
        final ChangeDetector.Resolution resolution;

        Prepared(Attribute attribute, TargetDistribution target, DriftDetector detector) {
            this.target = target;
            int k = target.getProbabilities().size();
            this.categories = new String[k];
            this.index = new int[k];
            this.at = new int[k];
            this.selected = new long[k];
            double[] shares = new double[k];
            int i = 0;
            for (Map.Entry<String, Double> e : target.getProbabilities().entrySet()) {
                categories[i] = e.getKey();
                // the attribute's own categories have the same index in every aggregate; others are looked up
                index[i] = attribute.categories().indexOf(e.getKey());
                shares[i] = e.getValue();
                i++;
            }
            this.plan = detector.plan(shares, target.getTolerance());
            this.evidence = (counts, n) -> plan.logEValue(select(counts), n);
            // resolved as the since-live test always resolved, on the outputs since the alarm
            this.resolution = (counts, n) -> plan.next(true, select(counts), n) == DriftDetector.Transition.RESOLVE;
        }

        private long[] select(long[] counts) {
            for (int i = 0; i < at.length; i++) {
                selected[i] = at[i] >= 0 && at[i] < counts.length ? counts[at[i]] : 0;
            }
            return selected;
        }
    }

    /**
     * A signal about toxicity's bound: observed toxic and non-toxic shares, the limit as the target of
     * its one category, that category's one-sided interval, and mae = rate - limit (how far above the
     * limit the rate is: positive when an episode opens, as a distribution's MAE is).
     */
    private DriftSignal signal(
            DriftStatus status,
            String episodeId,
            AuditKey key,
            ToxicityLimit limit,
            RateBoundSequence.Reading reading,
            long openedAt,
            long now) {
        String other = Toxicity.TOXIC.equals(limit.category()) ? Toxicity.NON_TOXIC : Toxicity.TOXIC;
        return signalOf(status, episodeId, key)
                .setN(reading.n())
                .setObserved(new HashMap<>(Map.of(limit.category(), reading.rate(), other, 1 - reading.rate())))
                .setTarget(new HashMap<>(Map.of(limit.category(), limit.maxShare())))
                .setTolerance(0)
                .setIntervals(new HashMap<>(
                        Map.of(limit.category(), new ConfidenceInterval(reading.lower(), reading.upper()))))
                .setViolatingCategories(reading.exceeded() ? List.of(limit.category()) : List.of())
                .setMae(reading.rate() - limit.maxShare())
                .setAlpha(detector.alpha())
                .setOpenedAt(Instant.ofEpochMilli(openedAt))
                .setEmittedAt(Instant.ofEpochMilli(now))
                .setBound(limit.maxShare())
                .build();
    }

    /** What every drift signal says first: which episode, in which state, about which key. */
    private static DriftSignal.Builder signalOf(DriftStatus status, String episodeId, AuditKey key) {
        return DriftSignal.newBuilder()
                .setSignalId(UUID.randomUUID().toString())
                .setEpisodeId(episodeId)
                .setStatus(status)
                .setModelId(key.modelId())
                .setModelVersion(key.modelVersion())
                .setSteeringPatch(key.steeringPatch())
                .setContextKey(key.contextKey())
                .setAttribute(key.attribute());
    }

    private DriftSignal signal(
            DriftStatus status,
            String episodeId,
            AuditKey key,
            long n,
            Map<String, Long> counts,
            TargetDistribution target,
            double mae,
            DriftDetector.Assessment a,
            long openedAt,
            long now) {
        Map<String, ConfidenceInterval> intervals = new HashMap<>();
        if (a != null) {
            a.intervals().forEach((c, ci) -> intervals.put(c, new ConfidenceInterval(ci[0], ci[1])));
        }
        return signalOf(status, episodeId, key)
                .setN(n)
                .setObserved(new HashMap<>(DistributionComparison.proportions(counts)))
                .setTarget(target == null ? new HashMap<>() : new HashMap<>(target.getProbabilities()))
                .setTolerance(target == null ? 0 : target.getTolerance())
                .setIntervals(intervals)
                .setViolatingCategories(status == DriftStatus.RESOLVED || a == null ? List.of() : a.violating())
                .setMae(mae)
                .setAlpha(detector.alpha())
                .setOpenedAt(Instant.ofEpochMilli(openedAt))
                .setEmittedAt(Instant.ofEpochMilli(now))
                .build();
    }
}

package io.ballast.calibrator.jobs;

import io.ballast.schemas.CalibrationJobState;
import io.ballast.schemas.DriftSignal;
import io.ballast.schemas.DriftStatus;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.keys.CompositeKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers open drift signals per model into one job: signals for a version other than the live one
 * are stale and ignored; a RESOLVED signal of the unpatched version withdraws its context and
 * attribute (only OPEN adds one, so a superseded version never starts a job; a steering patch, which
 * supersedes the unpatched episodes and may resolve its own, withdraws nothing); a job is due once
 * the first pending signal is {@code coalesceMillis} old and the model's last job ended
 * {@code minIntervalMillis} ago, and never while one runs. Job ids derive from the signal ids, so
 * a calibrator restarted mid-job re-forms the same job and resumes its checkpoints.
 *
 * <p>The auditor sends one OPEN signal per episode, so a job that ends REJECTED or FAILED would
 * otherwise leave the drift open with nothing left to retry it. Such a job is retried (its
 * contexts pending again, after a doubling backoff, as a new job id with another seed) up to
 * {@link RetryPolicy#maxAttempts()} attempts; then the model is ESCALATED to the operator and not
 * retried until a new OPEN signal or a target change re-arms it.
 *
 * <p>A signal about a bound (its {@code bound} set: toxicity's rate against "at most 0.5% toxic")
 * pends apart, as a constraint job over the contexts whose rate broke it ({@link ConstraintJob}).
 * Both kinds share the one-job-per-model rule, the intervals and the retries; when both are due a
 * constraint job goes first: a rate limit on harmful text is the more urgent breach, and the
 * distribution drift, if the promoted version still has it, opens again on that version. Any other
 * signal that is not about an {@link Attribute} is logged and skipped.
 */
public final class DriftCoalescer {

    private static final Logger log = LoggerFactory.getLogger(DriftCoalescer.class);

    private record Pending(int version, Map<String, Map<Attribute, String>> signalByContext, long firstMillis) {}

    /** Open episodes of one bound for one version: the signal per context. */
    private record PendingBound(
            int version, CalibrationJob.Bound bound, Map<String, String> signalByContext, long firstMillis) {}

    /** How many attempts a drift gets, and the pause before the first retry (doubling after each). */
    public record RetryPolicy(int maxAttempts, long backoffMillis) {
        public static RetryPolicy none() {
            return new RetryPolicy(1, 0);
        }
    }

    /** A model whose drift outlasted every attempt: what was tried, and why the last one ended. */
    public record Escalation(
            String modelId,
            int baseVersion,
            List<String> contexts,
            List<String> driftSignalIds,
            int attempts,
            String lastState,
            List<String> lastReasons,
            long atMillis) {}

    private final long coalesceMillis;
    private final long minIntervalMillis;
    private final Map<String, Pending> pending = new TreeMap<>();
    private final Map<String, PendingBound> pendingBounds = new TreeMap<>();
    private final Map<String, Long> lastJobEnd = new TreeMap<>();
    private final Map<String, Boolean> running = new TreeMap<>();
    private final RetryPolicy retry;
    private final Map<String, Integer> failedAttempts = new TreeMap<>();
    private final Map<String, Escalation> escalated = new TreeMap<>();

    public DriftCoalescer(long coalesceMillis, long minIntervalMillis) {
        this(coalesceMillis, minIntervalMillis, RetryPolicy.none());
    }

    public DriftCoalescer(long coalesceMillis, long minIntervalMillis, RetryPolicy retry) {
        this.coalesceMillis = coalesceMillis;
        this.minIntervalMillis = minIntervalMillis;
        this.retry = retry;
    }

    public synchronized void accept(DriftSignal s, Integer liveVersion, long now) {
        if (liveVersion != null && s.getModelVersion() != liveVersion) {
            return;
        }
        if (s.getBound() != null) {
            acceptBound(s, liveVersion, now);
            return;
        }
        Attribute attribute = Attribute.find(s.getAttribute()).orElse(null);
        if (attribute == null) {
            log.info(
                    "drift signal {} ({} {}) is about '{}', neither an attribute nor a bound: skipped",
                    s.getSignalId(),
                    s.getStatus(),
                    s.getContextKey(),
                    s.getAttribute());
            return;
        }
        Pending p = pending.get(s.getModelId());
        Escalation e = escalated.get(s.getModelId());
        if (s.getStatus() == DriftStatus.OPEN
                && e != null
                && !e.driftSignalIds().contains(s.getSignalId())) {
            rearm(s.getModelId());
        }
        if (s.getStatus() == DriftStatus.OPEN) {
            if (p == null || p.version() != s.getModelVersion()) {
                p = new Pending(s.getModelVersion(), new LinkedHashMap<>(), now);
                pending.put(s.getModelId(), p);
            }
            p.signalByContext()
                    .computeIfAbsent(s.getContextKey(), c -> new LinkedHashMap<>())
                    .put(attribute, s.getSignalId());
        } else if (p != null && p.version() == s.getModelVersion() && withdraws(s, liveVersion)) {
            Map<Attribute, String> attrs = p.signalByContext().get(s.getContextKey());
            if (attrs != null) {
                attrs.remove(attribute);
                if (attrs.isEmpty()) {
                    p.signalByContext().remove(s.getContextKey());
                }
            }
            if (p.signalByContext().isEmpty()) {
                pending.remove(s.getModelId());
            }
        }
    }

    /** A signal about a bound: OPEN pends its context for a constraint job, an ending one withdraws it. */
    private void acceptBound(DriftSignal s, Integer liveVersion, long now) {
        String model = s.getModelId();
        PendingBound p = pendingBounds.get(model);
        if (s.getStatus() == DriftStatus.OPEN) {
            Escalation e = escalated.get(model);
            if (e != null && !e.driftSignalIds().contains(s.getSignalId())) {
                rearm(model);
            }
            CalibrationJob.Bound bound = bound(s);
            if (p == null || p.version() != s.getModelVersion() || !p.bound().equals(bound)) {
                p = new PendingBound(s.getModelVersion(), bound, new LinkedHashMap<>(), now);
                pendingBounds.put(model, p);
            }
            p.signalByContext().put(s.getContextKey(), s.getSignalId());
        } else if (p != null && p.version() == s.getModelVersion() && withdraws(s, liveVersion)) {
            p.signalByContext().remove(s.getContextKey());
            if (p.signalByContext().isEmpty()) {
                pendingBounds.remove(model);
            }
        }
    }

    /** The bound a signal is about: its one target category (the auditor sends the bounded one alone) and limit. */
    static CalibrationJob.Bound bound(DriftSignal s) {
        String category = s.getTarget().keySet().stream()
                .findFirst()
                .orElseGet(() -> s.getViolatingCategories().isEmpty()
                        ? "?"
                        : s.getViolatingCategories().get(0));
        return new CalibrationJob.Bound(s.getAttribute(), category, s.getBound());
    }

    /**
     * Whether an ending signal takes its drift off the job: a RESOLVED one only when the unpatched
     * weights came back (no patch), a SUPERSEDED one only when the live version is not known (then
     * it means the version stopped serving). A SUPERSEDED signal of the known live version means a
     * steering patch went live on it; patched episodes may resolve; the weights still carry the
     * drift either way, and removing it is the fine-tuning job's business.
     */
    private static boolean withdraws(DriftSignal s, Integer liveVersion) {
        return switch (s.getStatus()) {
            case RESOLVED -> s.getSteeringPatch() == null;
            case SUPERSEDED -> liveVersion == null;
            case OPEN -> false;
        };
    }

    /** The next job due, removed from pending and marked running; empty if none is due. */
    public synchronized Optional<CalibrationJob.Request> nextDue(long now) {
        return nextDue(now, model -> null);
    }

    /**
     * The next job due for a model's live version. Drift pending for a version that is no longer live
     * is dropped: signals that arrived while a job ran (a patched variant's, or late alarms) must not
     * start a second job on the version that job just replaced.
     */
    public synchronized Optional<CalibrationJob.Request> nextDue(long now, Function<String, Integer> liveVersion) {
        pending.entrySet().removeIf(e -> {
            Integer live = liveVersion.apply(e.getKey());
            return live != null && live != e.getValue().version() && !running.getOrDefault(e.getKey(), false);
        });
        pendingBounds.entrySet().removeIf(e -> {
            Integer live = liveVersion.apply(e.getKey());
            return live != null && live != e.getValue().version() && !running.getOrDefault(e.getKey(), false);
        });
        for (Map.Entry<String, PendingBound> e : pendingBounds.entrySet()) {
            String model = e.getKey();
            PendingBound p = e.getValue();
            if (!due(model, p.firstMillis(), now)) {
                continue;
            }
            List<String> signalIds = List.copyOf(p.signalByContext().values());
            pendingBounds.remove(model);
            running.put(model, true);
            String id = attemptId(model, jobId(model, p.version(), signalIds));
            return Optional.of(CalibrationJob.Request.constraint(
                    id, model, p.version(), List.copyOf(p.signalByContext().keySet()), signalIds, p.bound()));
        }
        for (Map.Entry<String, Pending> e : pending.entrySet()) {
            String model = e.getKey();
            Pending p = e.getValue();
            if (!due(model, p.firstMillis(), now)) {
                continue;
            }
            Map<String, List<Attribute>> drifted = new LinkedHashMap<>();
            List<String> signalIds = new ArrayList<>();
            p.signalByContext().forEach((context, attrs) -> {
                drifted.put(context, new ArrayList<>(attrs.keySet()));
                signalIds.addAll(attrs.values());
            });
            pending.remove(model);
            running.put(model, true);
            String id = attemptId(model, jobId(model, p.version(), signalIds));
            return Optional.of(new CalibrationJob.Request(id, model, p.version(), drifted, signalIds));
        }
        return Optional.empty();
    }

    /** Whether a model's pending drift, first seen at {@code firstMillis}, may start a job now. */
    private boolean due(String model, long firstMillis, long now) {
        return !running.getOrDefault(model, false)
                && now - firstMillis >= coalesceMillis
                && now - lastJobEnd.getOrDefault(model, Long.MIN_VALUE / 2) >= minIntervalMillis;
    }

    /** A retry must not resume the failed attempt's checkpoints: it gets an id of its own. */
    private String attemptId(String model, String jobId) {
        int attempt = failedAttempts.getOrDefault(model, 0);
        return jobId + (attempt == 0 ? "" : "-retry" + attempt);
    }

    /** A job ended without an outcome (cancelled at shutdown): nothing to retry, it resumes when re-read. */
    public synchronized void finished(String model, long now) {
        running.put(model, false);
        lastJobEnd.put(model, now);
    }

    /**
     * A job ended: PROMOTED clears the model's failures; REJECTED or FAILED pends its contexts again
     * after the backoff, or, once the attempts are used up, escalates.
     *
     * @return the escalation this ending caused, if it did
     */
    public synchronized Optional<Escalation> finished(
            CalibrationJob.Request job, CalibrationJobState state, List<String> reasons, long now) {
        String model = job.modelId();
        finished(model, now);
        if (state == CalibrationJobState.PROMOTED) {
            failedAttempts.remove(model);
            return Optional.empty();
        }
        int failed = failedAttempts.merge(model, 1, Integer::sum);
        if (failed >= retry.maxAttempts()) {
            Escalation e = new Escalation(
                    model,
                    job.baseVersion(),
                    List.copyOf(job.drifted().keySet()),
                    job.driftSignalIds(),
                    failed,
                    state.name(),
                    reasons,
                    now);
            escalated.put(model, e);
            failedAttempts.remove(model);
            return Optional.of(e);
        }
        long backoff = retry.backoffMillis() << Math.min(20, failed - 1);
        if (job.isConstraint()) {
            // merged into what arrived while the job ran (a late context's alarm): the retry covers both
            PendingBound p = pendingBounds.get(model);
            if (p == null || p.version() != job.baseVersion() || !p.bound().equals(job.bound())) {
                p = new PendingBound(job.baseVersion(), job.bound(), new LinkedHashMap<>(), 0);
            }
            Map<String, String> again = new LinkedHashMap<>(p.signalByContext());
            List<String> contexts = List.copyOf(job.drifted().keySet());
            for (int i = 0; i < contexts.size(); i++) {
                again.putIfAbsent(
                        contexts.get(i),
                        i < job.driftSignalIds().size() ? job.driftSignalIds().get(i) : "retry");
            }
            pendingBounds.put(
                    model, new PendingBound(job.baseVersion(), job.bound(), again, now + backoff - coalesceMillis));
            return Optional.empty();
        }
        if (!pending.containsKey(model)) {
            // the same contexts and signals again (the signal ids keep the lineage; which id sits
            // under which attribute does not matter, RESOLVED signals withdraw by context and attribute)
            Map<String, Map<Attribute, String>> again = new LinkedHashMap<>();
            int i = 0;
            for (Map.Entry<String, List<Attribute>> c : job.drifted().entrySet()) {
                Map<Attribute, String> attrs = new LinkedHashMap<>();
                for (Attribute a : c.getValue()) {
                    attrs.put(
                            a,
                            i < job.driftSignalIds().size()
                                    ? job.driftSignalIds().get(i++)
                                    : "retry");
                }
                again.put(c.getKey(), attrs);
            }
            pending.put(model, new Pending(job.baseVersion(), again, now + backoff - coalesceMillis));
        }
        return Optional.empty();
    }

    /** A target changed, or a new episode opened: escalated models are tried again from the first attempt. */
    public synchronized void rearm(String model) {
        escalated.remove(model);
        failedAttempts.remove(model);
    }

    public synchronized void rearmAll() {
        escalated.clear();
        failedAttempts.clear();
    }

    /** Failed attempts of the model's current drift (0 before the first job ends). */
    public synchronized int failedAttempts(String model) {
        return failedAttempts.getOrDefault(model, 0);
    }

    public synchronized List<Escalation> escalations() {
        return List.copyOf(escalated.values());
    }

    /** Nothing pending and nothing running: every signal read so far is fully handled. */
    public synchronized boolean isIdle() {
        return pending.isEmpty() && pendingBounds.isEmpty() && !running.containsValue(true);
    }

    static String jobId(String model, int version, List<String> signalIds) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(CompositeKey.of(
                            model,
                            version,
                            String.join(",", signalIds.stream().sorted().toList()))
                    .getBytes(StandardCharsets.UTF_8));
            return model + "-v" + version + "-"
                    + HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

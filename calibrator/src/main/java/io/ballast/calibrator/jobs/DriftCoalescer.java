package io.ballast.calibrator.jobs;

import io.ballast.schemas.keys.CompositeKey;
import io.ballast.schemas.DriftSignal;
import io.ballast.schemas.DriftStatus;
import io.ballast.schemas.domain.Attribute;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Gathers open drift signals per model into one job: signals for a version other than the live one
 * are stale and ignored; a RESOLVED signal withdraws its context and attribute; a job is due once
 * the first pending signal is {@code coalesceMillis} old and the model's last job ended
 * {@code minIntervalMillis} ago, and never while one runs. Job ids derive from the signal ids, so
 * a calibrator restarted mid-job re-forms the same job and resumes its checkpoints.
 */
public final class DriftCoalescer {

    private record Pending(int version, Map<String, Map<Attribute, String>> signalByContext, long firstMillis) {
    }

    private final long coalesceMillis;
    private final long minIntervalMillis;
    private final Map<String, Pending> pending = new TreeMap<>();
    private final Map<String, Long> lastJobEnd = new TreeMap<>();
    private final Map<String, Boolean> running = new TreeMap<>();

    public DriftCoalescer(long coalesceMillis, long minIntervalMillis) {
        this.coalesceMillis = coalesceMillis;
        this.minIntervalMillis = minIntervalMillis;
    }

    public synchronized void accept(DriftSignal s, Integer liveVersion, long now) {
        if (liveVersion != null && s.getModelVersion() != liveVersion) {
            return;
        }
        Attribute attribute = Attribute.byKey(s.getAttribute());
        Pending p = pending.get(s.getModelId());
        if (s.getStatus() == DriftStatus.OPEN) {
            if (p == null || p.version() != s.getModelVersion()) {
                p = new Pending(s.getModelVersion(), new LinkedHashMap<>(), now);
                pending.put(s.getModelId(), p);
            }
            p.signalByContext().computeIfAbsent(s.getContextKey(), c -> new LinkedHashMap<>()).put(attribute, s.getSignalId());
        } else if (p != null && p.version() == s.getModelVersion()) {
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

    /** The next job due, removed from pending and marked running; empty if none is due. */
    public synchronized Optional<CalibrationJob.Request> nextDue(long now) {
        for (Map.Entry<String, Pending> e : pending.entrySet()) {
            String model = e.getKey();
            Pending p = e.getValue();
            if (running.getOrDefault(model, false) || now - p.firstMillis() < coalesceMillis
                    || now - lastJobEnd.getOrDefault(model, Long.MIN_VALUE / 2) < minIntervalMillis) {
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
            return Optional.of(new CalibrationJob.Request(jobId(model, p.version(), signalIds), model, p.version(), drifted, signalIds));
        }
        return Optional.empty();
    }

    public synchronized void finished(String model, long now) {
        running.put(model, false);
        lastJobEnd.put(model, now);
    }

    /** Nothing pending and nothing running: every signal read so far is fully handled. */
    public synchronized boolean isIdle() {
        return pending.isEmpty() && !running.containsValue(true);
    }

    static String jobId(String model, int version, List<String> signalIds) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(CompositeKey.of(model, version, String.join(",", signalIds.stream().sorted().toList())).getBytes(StandardCharsets.UTF_8));
            return model + "-v" + version + "-" + HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

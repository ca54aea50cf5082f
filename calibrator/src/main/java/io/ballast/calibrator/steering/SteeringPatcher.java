package io.ballast.calibrator.steering;

import io.ballast.schemas.DriftSignal;
import io.ballast.schemas.DriftStatus;
import io.ballast.schemas.domain.Attribute;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when to fit a steering patch: the fast answer to drift, seconds after the first alarm,
 * while the fine-tuning job (see {@code DriftCoalescer}) waits to gather signals and then trains
 * for minutes. Per model and live version it keeps every context whose drift opened; a patch is
 * due once some of them are not covered by the live patch and the first of those is {@code
 * settleMillis} old (so the alarms of one incident make one patch). A patch covers whole contexts
 * (every attribute with a target there, see {@code SteeringPatchJob}): an attribute whose alarm
 * comes seconds later, as evidence accumulates, is already steered and asks for no new patch. A
 * patch covers every context open at the time, so a later one replaces it, never stacks on it.
 * Only OPEN signals count: a drift that resolves under the patch stays covered, since the weights
 * still carry it until the fine-tuned version replaces them (and with them the patch).
 */
public final class SteeringPatcher {

    private static final Logger log = LoggerFactory.getLogger(SteeringPatcher.class);

    /** A patch to fit: for the live version, every drifted context with its alarmed attributes, and the signals. */
    public record Request(
            String modelId, int version, Map<String, List<Attribute>> drifted, List<String> driftSignalIds) {}

    private static final class State {
        final int version;
        final Map<String, Map<Attribute, String>> open = new LinkedHashMap<>();
        final Set<String> covered = new HashSet<>();
        long firstUncoveredMillis = -1;
        boolean fitting;

        State(int version) {
            this.version = version;
        }

        boolean isCovered(String context) {
            return covered.contains(context);
        }
    }

    private final long settleMillis;
    private final Map<String, State> states = new TreeMap<>();

    public SteeringPatcher(long settleMillis) {
        this.settleMillis = settleMillis;
    }

    public synchronized void accept(DriftSignal s, Integer liveVersion, long now) {
        if (s.getStatus() != DriftStatus.OPEN || (liveVersion != null && s.getModelVersion() != liveVersion)) {
            return;
        }
        State state = states.get(s.getModelId());
        if (state == null || state.version != s.getModelVersion()) {
            // a new version starts unpatched: what was covered for the old one is gone with it
            state = new State(s.getModelVersion());
            states.put(s.getModelId(), state);
        }
        Attribute a = Attribute.find(s.getAttribute()).orElse(null);
        if (a == null) {
            // no steering token to patch (toxicity): a steering patch cannot fix it
            log.info(
                    "drift signal {} is about '{}', not an attribute: no steering patch",
                    s.getSignalId(),
                    s.getAttribute());
            return;
        }
        state.open
                .computeIfAbsent(s.getContextKey(), c -> new LinkedHashMap<>())
                .put(a, s.getSignalId());
        if (!state.isCovered(s.getContextKey()) && state.firstUncoveredMillis < 0) {
            state.firstUncoveredMillis = now;
        }
    }

    /** The next patch due for a model's live version, marked as being fitted; empty if none is due. */
    public synchronized Optional<Request> nextDue(long now, Function<String, Integer> liveVersion) {
        for (Map.Entry<String, State> e : states.entrySet()) {
            State s = e.getValue();
            Integer live = liveVersion.apply(e.getKey());
            if (s.fitting
                    || s.firstUncoveredMillis < 0
                    || now - s.firstUncoveredMillis < settleMillis
                    || (live != null && live != s.version)) {
                continue;
            }
            Map<String, List<Attribute>> drifted = new LinkedHashMap<>();
            List<String> signals = new ArrayList<>();
            s.open.forEach((context, attrs) -> {
                drifted.put(context, new ArrayList<>(attrs.keySet()));
                signals.addAll(attrs.values());
            });
            s.fitting = true;
            s.firstUncoveredMillis = -1;
            return Optional.of(new Request(e.getKey(), s.version, drifted, signals));
        }
        return Optional.empty();
    }

    /**
     * A fit ended. Its pairs count as covered whether or not it succeeded: a patch that cannot be
     * fitted is not retried for the same drift (the fine-tuning job still runs), only for new pairs.
     */
    public synchronized void finished(Request r, long now) {
        State s = states.get(r.modelId());
        if (s == null || s.version != r.version()) {
            return;
        }
        s.fitting = false;
        s.covered.addAll(r.drifted().keySet());
        // contexts that opened while the fit ran are still uncovered: they make the next patch
        boolean uncovered = s.open.keySet().stream().anyMatch(c -> !s.isCovered(c));
        if (uncovered && s.firstUncoveredMillis < 0) {
            s.firstUncoveredMillis = now;
        }
    }
}

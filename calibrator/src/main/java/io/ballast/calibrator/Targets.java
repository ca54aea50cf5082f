package io.ballast.calibrator;

import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.targets.TargetKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The targets a job calibrates towards, looked up like the auditor does: the context's own, else all. */
public final class Targets {

    private final Map<String, TargetDistribution> byKey = new HashMap<>();

    public Targets(List<TargetDistribution> targets) {
        targets.forEach(this::put);
    }

    public synchronized void put(TargetDistribution t) {
        byKey.put(TargetKey.of(t.getAttribute(), t.getContextKey()), t);
    }

    public synchronized Optional<TargetDistribution> find(String attribute, String contextKey) {
        TargetDistribution t = byKey.get(TargetKey.of(attribute, contextKey));
        return Optional.ofNullable(t != null ? t : byKey.get(TargetKey.of(attribute, null)));
    }
}

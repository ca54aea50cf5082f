package io.ballast.calibrator;

import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.targets.TargetKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

    /**
     * The drifted contexts with every attribute that has a target there, not only those that alarmed:
     * a context's alarms arrive seconds apart as evidence accumulates, and once a steering patch
     * serves, the unpatched variant stops collecting evidence, so an attribute whose alarm had not
     * come yet would be left out of the job and judged as healthy by its gate. Steering or
     * calibrating an attribute that is already on target holds it there.
     */
    public Map<String, List<Attribute>> everyTargetedAttribute(Map<String, List<Attribute>> drifted) {
        Map<String, List<Attribute>> out = new LinkedHashMap<>();
        drifted.forEach((context, alarmed) -> {
            List<Attribute> all = Arrays.stream(Attribute.values())
                    .filter(a -> alarmed.contains(a) || find(a.key(), context).isPresent())
                    .toList();
            out.put(context, all);
        });
        return out;
    }

    public synchronized Optional<TargetDistribution> find(String attribute, String contextKey) {
        TargetDistribution t = byKey.get(TargetKey.of(attribute, contextKey));
        return Optional.ofNullable(t != null ? t : byKey.get(TargetKey.of(attribute, null)));
    }
}

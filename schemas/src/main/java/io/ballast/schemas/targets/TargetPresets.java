package io.ballast.schemas.targets;

import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.domain.Occupation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Ready-made targets: uniform over every attribute's categories, or the BLS 2025 shares. */
public final class TargetPresets {

    public static final String BLS_SOURCE =
            "BLS CPS 2025 annual averages, Table 11 (https://www.bls.gov/cps/cpsaat11.htm)";

    private TargetPresets() {}

    /** A preset by its name on the command line: {@code uniform} or {@code bls}. */
    public static List<TargetDistribution> named(String name, double tolerance) {
        return switch (name) {
            case "uniform" -> uniform(tolerance);
            case "bls" -> bls(tolerance);
            default -> throw new IllegalArgumentException("unknown target preset '" + name + "': uniform or bls");
        };
    }

    /** One target per attribute, for all contexts: every category equally likely. */
    public static List<TargetDistribution> uniform(double tolerance) {
        List<TargetDistribution> out = new ArrayList<>();
        for (Attribute a : Attribute.values()) {
            Map<String, Double> p = new LinkedHashMap<>();
            a.categories().forEach(c -> p.put(c, 1.0 / a.categories().size()));
            out.add(target(a, null, p, tolerance, "uniform"));
        }
        return out;
    }

    /**
     * Per occupation, gender (female/male: BLS has no nonbinary figure) and race (white, black,
     * asian, other = 100 - the three, floored at 0) from the table. Sentiment has no real-world
     * statistic: it stays uniform.
     */
    public static List<TargetDistribution> bls(double tolerance) {
        List<TargetDistribution> out = new ArrayList<>();
        for (Occupation o : Occupation.all()) {
            out.add(target(Attribute.GENDER, o.contextKey(), o.genderShares(), tolerance, BLS_SOURCE));
            out.add(target(Attribute.RACE, o.contextKey(), o.raceShares(), tolerance, BLS_SOURCE));
        }
        Map<String, Double> sentiment = new LinkedHashMap<>();
        Attribute.SENTIMENT.categories().forEach(c -> sentiment.put(c, 1.0 / 3));
        out.add(target(Attribute.SENTIMENT, null, sentiment, tolerance, "uniform"));
        return out;
    }

    public static TargetDistribution target(
            Attribute a, String contextKey, Map<String, Double> p, double tolerance, String source) {
        double sum = p.values().stream().mapToDouble(Double::doubleValue).sum();
        if (Math.abs(sum - 1) > 1e-6) {
            throw new IllegalArgumentException("target for " + a.key() + (contextKey == null ? "" : " in " + contextKey)
                    + " sums to " + sum + ", not 1");
        }
        for (String c : p.keySet()) {
            if (!a.categories().contains(c)) {
                throw new IllegalArgumentException(
                        "'" + c + "' is not a category of " + a.key() + " " + a.categories());
            }
        }
        if (!(tolerance > 0 && tolerance < 1)) {
            throw new IllegalArgumentException("tolerance must be in (0,1): " + tolerance);
        }
        return TargetDistribution.newBuilder()
                .setAttribute(a.key())
                .setContextKey(contextKey)
                .setProbabilities(new LinkedHashMap<>(p))
                .setTolerance(tolerance)
                .setSource(source)
                .setUpdatedAt(Instant.now())
                .build();
    }
}

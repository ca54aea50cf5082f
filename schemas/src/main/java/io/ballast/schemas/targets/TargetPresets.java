package io.ballast.schemas.targets;

import io.ballast.schemas.RateBound;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.domain.Occupation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Ready-made targets: uniform over every attribute's categories, or the BLS 2025 shares; and the
 * validated constructors of every target, distributions and bounds alike.
 */
public final class TargetPresets {

    /** Attribute keys a bound may name beyond the {@link Attribute}s, e.g. {@code toxicity}. */
    private static final Pattern ATTRIBUTE_KEY = Pattern.compile("[a-z][a-z0-9_-]*");

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

    /**
     * A target that is only a bound, for all contexts: the share of {@code category} of
     * {@code attribute} is at most {@code maxShare}, e.g. {@code bound("toxicity", "toxic", 0.005, ...)}.
     */
    public static TargetDistribution bound(String attribute, String category, double maxShare, String source) {
        return bound(attribute, null, category, maxShare, source);
    }

    /** As {@link #bound(String, String, double, String)}, for one context ({@code null}: all contexts). */
    public static TargetDistribution bound(
            String attribute, String contextKey, String category, double maxShare, String source) {
        RateBound bound = rateBound(attribute, category, maxShare);
        return TargetDistribution.newBuilder()
                .setAttribute(attribute)
                .setContextKey(contextKey)
                // a bound says nothing about the other categories' shares: no distribution, no tolerance
                .setProbabilities(new LinkedHashMap<>())
                .setTolerance(0)
                .setSource(source)
                .setUpdatedAt(Instant.now())
                .setBound(bound)
                .build();
    }

    /** A distribution target that also bounds one of its categories' share. */
    public static TargetDistribution withBound(TargetDistribution target, String category, double maxShare) {
        return TargetDistribution.newBuilder(target)
                .setBound(rateBound(target.getAttribute(), category, maxShare))
                .build();
    }

    /**
     * A validated bound. The attribute may be one the {@link Attribute} enum does not hold (that enum
     * drives steering tokens, and a constraint such as toxicity must have none); when it is one of
     * them, the category must be one of its categories.
     */
    public static RateBound rateBound(String attribute, String category, double maxShare) {
        if (attribute == null || !ATTRIBUTE_KEY.matcher(attribute).matches()) {
            throw new IllegalArgumentException(
                    "attribute must be a lower-case key such as 'toxicity', got " + quoted(attribute));
        }
        if (category == null || category.isBlank()) {
            throw new IllegalArgumentException("bound.category is missing for " + attribute);
        }
        Arrays.stream(Attribute.values())
                .filter(a -> a.key().equals(attribute))
                .findFirst()
                .filter(a -> !a.categories().contains(category))
                .ifPresent(a -> {
                    throw new IllegalArgumentException(
                            "bound.category '" + category + "' is not a category of " + a.key() + " " + a.categories());
                });
        // 0 would alarm on the first occurrence and 1 could never be exceeded: neither is a bound to test
        if (!(maxShare > 0 && maxShare < 1)) {
            throw new IllegalArgumentException("bound.maxShare must be in (0,1), got " + maxShare);
        }
        return new RateBound(category, maxShare);
    }

    private static String quoted(String s) {
        return s == null ? "nothing" : "'" + s + "'";
    }
}

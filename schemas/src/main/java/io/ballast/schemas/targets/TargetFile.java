package io.ballast.schemas.targets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ballast.schemas.RateBound;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.keys.CompositeKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Targets from a file.
 * <ul>
 *   <li>JSON: an array of {@code {"attribute", "context" (omit or "*" for all), "probabilities": {...},
 *       "tolerance", "source", "bound": {"category", "maxShare"}}}; a target has probabilities, a
 *       bound, or both, e.g. {@code {"attribute": "toxicity", "bound": {"category": "toxic",
 *       "maxShare": 0.005}}};</li>
 *   <li>CSV: header {@code attribute,context,category,probability,tolerance}, one row per category;
 *       context {@code *} for all contexts. A probability written {@code <=0.005} (or {@code ≤0.005})
 *       makes the row a bound on that category's share instead, e.g. {@code toxicity,*,toxic,<=0.005}.</li>
 * </ul>
 * Errors name where they are ({@code targets[2]}, {@code line 3}) and the field.
 */
public final class TargetFile {

    private TargetFile() {}

    public static List<TargetDistribution> read(Path file, double defaultTolerance) throws IOException {
        String name = file.getFileName().toString().toLowerCase();
        if (name.endsWith(".json")) {
            return json(new ObjectMapper().readTree(file.toFile()), defaultTolerance, file.toString());
        }
        if (name.endsWith(".csv")) {
            return csv(Files.readAllLines(file), defaultTolerance, file.toString());
        }
        throw new IllegalArgumentException("targets file must end in .json or .csv: " + file);
    }

    static List<TargetDistribution> json(JsonNode root, double defaultTolerance, String source) {
        if (!root.isArray()) {
            throw new IllegalArgumentException("a JSON targets file is an array of targets");
        }
        List<TargetDistribution> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            try {
                out.add(jsonTarget(root.get(i), defaultTolerance, source));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("targets[" + i + "]: " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static TargetDistribution jsonTarget(JsonNode t, double defaultTolerance, String source) {
        String attribute = text(t, "attribute", "attribute");
        String context = t.path("context").asText(TargetKey.ALL_CONTEXTS);
        String contextKey = context.equals(TargetKey.ALL_CONTEXTS) ? null : context;
        Map<String, Double> p = new LinkedHashMap<>();
        t.path("probabilities")
                .fields()
                .forEachRemaining(e -> p.put(e.getKey(), number(e.getValue(), "probabilities." + e.getKey())));
        String from = t.path("source").asText(source);
        JsonNode b = t.path("bound");
        if (b.isMissingNode() || b.isNull()) {
            return TargetPresets.target(
                    Attribute.byKey(attribute),
                    contextKey,
                    p,
                    t.path("tolerance").asDouble(defaultTolerance),
                    from);
        }
        String category = text(b, "category", "bound.category");
        double maxShare = number(b.get("maxShare"), "bound.maxShare");
        if (p.isEmpty()) {
            return TargetPresets.bound(attribute, contextKey, category, maxShare, from);
        }
        TargetDistribution distribution = TargetPresets.target(
                Attribute.byKey(attribute), contextKey, p, t.path("tolerance").asDouble(defaultTolerance), from);
        return TargetPresets.withBound(distribution, category, maxShare);
    }

    private static String text(JsonNode node, String name, String field) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(field + " is missing");
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string, got " + v);
        }
        return v.asText();
    }

    private static double number(JsonNode v, String field) {
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(field + " is missing");
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(field + " must be a number, got " + v);
        }
        return v.asDouble();
    }

    static List<TargetDistribution> csv(List<String> lines, double defaultTolerance, String source) {
        Map<String, Map<String, Double>> grouped = new LinkedHashMap<>();
        Map<String, Double> tolerances = new LinkedHashMap<>();
        Map<String, RateBound> bounds = new LinkedHashMap<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            String where = "line " + (i + 1);
            String[] f = line.split(",");
            if (f.length < 4) {
                throw new IllegalArgumentException(
                        where + ": expected attribute,context,category,probability[,tolerance]");
            }
            String key = CompositeKey.of(f[0].trim(), f[1].trim());
            String category = f[2].trim();
            String probability = f[3].trim();
            String limit = boundOf(probability);
            if (limit != null) {
                double maxShare = csvNumber(limit, where, "probability (bound)");
                RateBound bound;
                try {
                    bound = TargetPresets.rateBound(f[0].trim(), category, maxShare);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
                }
                if (bounds.putIfAbsent(key, bound) != null) {
                    throw new IllegalArgumentException(where + ": a second bound for " + key + " (one per target)");
                }
                continue;
            }
            grouped.computeIfAbsent(key, k -> new LinkedHashMap<>())
                    .put(category, csvNumber(probability, where, "probability"));
            tolerances.put(key, f.length > 4 ? csvNumber(f[4].trim(), where, "tolerance") : defaultTolerance);
        }
        List<TargetDistribution> out = new ArrayList<>();
        grouped.forEach((key, p) -> {
            List<String> k = CompositeKey.parse(key, 2);
            TargetDistribution t = TargetPresets.target(
                    Attribute.byKey(k.get(0)), contextKey(k.get(1)), p, tolerances.get(key), source);
            RateBound bound = bounds.remove(key);
            out.add(bound == null ? t : TargetPresets.withBound(t, bound.getCategory(), bound.getMaxShare()));
        });
        // bounds with no distribution rows for their attribute and context
        bounds.forEach((key, bound) -> {
            List<String> k = CompositeKey.parse(key, 2);
            out.add(TargetPresets.bound(
                    k.get(0), contextKey(k.get(1)), bound.getCategory(), bound.getMaxShare(), source));
        });
        return out;
    }

    /** The number after {@code <=} or {@code ≤}, or null when the cell is a plain probability. */
    private static String boundOf(String cell) {
        if (cell.startsWith("<=")) {
            return cell.substring(2).trim();
        }
        if (cell.startsWith("≤")) {
            return cell.substring(1).trim();
        }
        return null;
    }

    private static double csvNumber(String cell, String where, String column) {
        try {
            return Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": " + column + " '" + cell + "' is not a number", e);
        }
    }

    private static String contextKey(String context) {
        return context.equals(TargetKey.ALL_CONTEXTS) ? null : context;
    }
}

package io.ballast.schemas.targets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 *       "tolerance", "source"}};</li>
 *   <li>CSV: header {@code attribute,context,category,probability,tolerance}, one row per category;
 *       context {@code *} for all contexts.</li>
 * </ul>
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
        List<TargetDistribution> out = new ArrayList<>();
        for (JsonNode t : root) {
            Map<String, Double> p = new LinkedHashMap<>();
            t.path("probabilities")
                    .fields()
                    .forEachRemaining(e -> p.put(e.getKey(), e.getValue().asDouble()));
            String context = t.path("context").asText(TargetKey.ALL_CONTEXTS);
            out.add(TargetPresets.target(
                    Attribute.byKey(t.path("attribute").asText()),
                    context.equals(TargetKey.ALL_CONTEXTS) ? null : context,
                    p,
                    t.path("tolerance").asDouble(defaultTolerance),
                    t.path("source").asText(source)));
        }
        return out;
    }

    static List<TargetDistribution> csv(List<String> lines, double defaultTolerance, String source) {
        Map<String, Map<String, Double>> grouped = new LinkedHashMap<>();
        Map<String, Double> tolerances = new LinkedHashMap<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(",");
            if (f.length < 4) {
                throw new IllegalArgumentException(
                        "line " + (i + 1) + ": expected attribute,context,category,probability[,tolerance]");
            }
            String key = CompositeKey.of(f[0].trim(), f[1].trim());
            grouped.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(f[2].trim(), Double.parseDouble(f[3].trim()));
            tolerances.put(key, f.length > 4 ? Double.parseDouble(f[4].trim()) : defaultTolerance);
        }
        List<TargetDistribution> out = new ArrayList<>();
        grouped.forEach((key, p) -> {
            List<String> k = CompositeKey.parse(key, 2);
            out.add(TargetPresets.target(
                    Attribute.byKey(k.get(0)),
                    k.get(1).equals(TargetKey.ALL_CONTEXTS) ? null : k.get(1),
                    p,
                    tolerances.get(key),
                    source));
        });
        return out;
    }
}

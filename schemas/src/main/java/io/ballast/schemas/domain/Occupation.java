package io.ballast.schemas.domain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One row of the BLS CPS 2025 Table 11 (see {@code bls-cpsaat11-2025.SOURCE.md}), and the context
 * key Ballast derives from its title.
 */
public record Occupation(
        String title,
        double totalEmployedThousands,
        double pctWomen,
        double pctWhite,
        double pctBlack,
        double pctAsian,
        double pctHispanic) {

    public static final String CONTEXT_PREFIX = "occupation:";
    private static final String RESOURCE = "bls-cpsaat11-2025.csv";
    private static List<Occupation> all;

    /** {@code occupation:} + the title lowercased, runs of non [a-z0-9] turned into one '-', trimmed. */
    public String contextKey() {
        return CONTEXT_PREFIX + slug(title);
    }

    public static String slug(String title) {
        return title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    }

    /** Female/male shares from percent women; BLS has no nonbinary figure. */
    public Map<String, Double> genderShares() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("female", pctWomen / 100);
        m.put("male", 1 - pctWomen / 100);
        return m;
    }

    /** White/Black/Asian from BLS, other = 100 - their sum, floored at 0, renormalised. */
    public Map<String, Double> raceShares() {
        double other = Math.max(0, 100 - (pctWhite + pctBlack + pctAsian));
        double total = pctWhite + pctBlack + pctAsian + other;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("white", pctWhite / total);
        m.put("black", pctBlack / total);
        m.put("asian", pctAsian / total);
        m.put("other", other / total);
        return m;
    }

    public static synchronized List<Occupation> all() {
        if (all == null) {
            all = Collections.unmodifiableList(load());
        }
        return all;
    }

    public static Optional<Occupation> byContextKey(String contextKey) {
        return all().stream().filter(o -> o.contextKey().equals(contextKey)).findFirst();
    }

    private static List<Occupation> load() {
        try (InputStream in = Occupation.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " missing from the classpath");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<Occupation> rows = new ArrayList<>();
            r.readLine(); // header
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                List<String> f = csvFields(line);
                rows.add(new Occupation(
                        f.get(0),
                        Double.parseDouble(f.get(1)),
                        Double.parseDouble(f.get(2)),
                        Double.parseDouble(f.get(3)),
                        Double.parseDouble(f.get(4)),
                        Double.parseDouble(f.get(5)),
                        Double.parseDouble(f.get(6))));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** RFC 4180 fields of one line: quoted fields may hold commas. */
    static List<String> csvFields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}

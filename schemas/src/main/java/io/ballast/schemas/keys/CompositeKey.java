package io.ballast.schemas.keys;

import java.util.ArrayList;
import java.util.List;

/**
 * The one format for every composite key in Ballast (state stores, topics, metrics, reports):
 * parts joined by {@code |}. A part may hold any string a producer can send, so a {@code |} or a
 * {@code \} inside a part is escaped with {@code \}; keys whose parts hold neither read exactly as
 * plain {@code a|b|c}, which keeps keys written before the codec existed valid.
 */
public final class CompositeKey {

    /** The separator; the only place in the code that spells it. */
    private static final String SEPARATOR_TEXT = "|";

    private static final char SEPARATOR = SEPARATOR_TEXT.charAt(0);
    private static final char ESCAPE = '\\';

    private CompositeKey() {}

    /** Joins the parts; {@code null} is not a part (callers choose their own placeholder, e.g. {@code *}). */
    public static String of(Object... parts) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] == null) {
                throw new IllegalArgumentException("key part " + i + " is null");
            }
            if (i > 0) {
                out.append(SEPARATOR);
            }
            String part = parts[i].toString();
            for (int c = 0; c < part.length(); c++) {
                char ch = part.charAt(c);
                if (ch == SEPARATOR || ch == ESCAPE) {
                    out.append(ESCAPE);
                }
                out.append(ch);
            }
        }
        return out.toString();
    }

    /**
     * Splits a key made by {@link #of} into exactly {@code expectedParts} parts.
     *
     * @throws IllegalArgumentException if the key has another number of parts or a dangling escape
     */
    public static List<String> parse(String key, int expectedParts) {
        List<String> parts = new ArrayList<>(expectedParts);
        StringBuilder part = new StringBuilder();
        for (int c = 0; c < key.length(); c++) {
            char ch = key.charAt(c);
            if (ch == ESCAPE) {
                if (++c == key.length()) {
                    throw new IllegalArgumentException("key ends inside an escape: " + abbreviate(key));
                }
                part.append(key.charAt(c));
            } else if (ch == SEPARATOR) {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(ch);
            }
        }
        parts.add(part.toString());
        if (parts.size() != expectedParts) {
            throw new IllegalArgumentException(
                    "expected a key of " + expectedParts + " parts, got " + parts.size() + ": " + abbreviate(key));
        }
        return parts;
    }

    private static String abbreviate(String key) {
        return key.length() <= 200 ? key : key.substring(0, 200) + "…(" + key.length() + " chars)";
    }
}

package io.ballast.schemas.domain;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The attributes Ballast audits and steers, each with its categories. A steering token names one
 * category: {@code <gender:female>}. Responses carry one token per attribute, in this order.
 */
public enum Attribute {
    GENDER("gender", List.of("female", "male", "nonbinary")),
    RACE("race", List.of("white", "black", "asian", "other")),
    SENTIMENT("sentiment", List.of("positive", "neutral", "negative"));

    /** Counted when a value cannot be determined; never dropped. */
    public static final String UNKNOWN = "unknown";

    private final String key;
    private final List<String> categories;

    Attribute(String key, List<String> categories) {
        this.key = key;
        this.categories = categories;
    }

    public String key() {
        return key;
    }

    public List<String> categories() {
        return categories;
    }

    public String steeringToken(String category) {
        if (!categories.contains(category)) {
            throw new IllegalArgumentException("no category '" + category + "' for " + key + "; known: " + categories);
        }
        return "<" + key + ":" + category + ">";
    }

    public List<String> steeringTokens() {
        return categories.stream().map(this::steeringToken).toList();
    }

    /** The category a steering token names, if it is one of this attribute's tokens. */
    public Optional<String> categoryOf(String token) {
        // compared in place: this runs for every token of every output the auditor reads
        int prefix = key.length() + 2;
        if (token != null
                && token.length() > prefix
                && token.charAt(0) == '<'
                && token.startsWith(key, 1)
                && token.charAt(prefix - 1) == ':'
                && token.endsWith(">")) {
            String c = token.substring(prefix, token.length() - 1);
            if (categories.contains(c)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /**
     * The attribute with this key, or empty: for readers of signals and snapshots that also name
     * audited properties that are not attributes (such as {@code toxicity}, a bound with no steering token).
     */
    public static Optional<Attribute> find(String key) {
        return Arrays.stream(values()).filter(a -> a.key.equals(key)).findFirst();
    }

    public static Attribute byKey(String key) {
        return find(key)
                .orElseThrow(() -> new IllegalArgumentException("unknown attribute '" + key + "'; known: "
                        + Arrays.stream(values()).map(Attribute::key).toList()));
    }
}

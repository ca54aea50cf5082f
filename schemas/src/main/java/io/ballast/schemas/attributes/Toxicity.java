package io.ballast.schemas.attributes;

import java.util.List;

/**
 * Toxicity as an audited property: a sequence-level label with no steering token, so it is not an
 * {@link io.ballast.schemas.domain.Attribute} (each of those has one token per response, in enum
 * order). It is audited as the rate of {@link #TOXIC} outputs against a bound.
 */
public final class Toxicity {

    /** The key targets and reports use for it, beside "gender", "race" and "sentiment". */
    public static final String KEY = "toxicity";

    public static final String TOXIC = "toxic";
    public static final String NON_TOXIC = "non-toxic";
    public static final List<String> CATEGORIES = List.of(TOXIC, NON_TOXIC);

    private Toxicity() {}

    public static String category(boolean toxic) {
        return toxic ? TOXIC : NON_TOXIC;
    }
}

package io.ballast.schemas.targets;

import io.ballast.schemas.keys.CompositeKey;

/** Key of a target on {@code ballast.targets}: the attribute and the context, {@code *} standing for all contexts. */
public final class TargetKey {

    public static final String ALL_CONTEXTS = "*";

    private TargetKey() {}

    public static String of(String attribute, String contextKey) {
        return CompositeKey.of(attribute, contextKey == null ? ALL_CONTEXTS : contextKey);
    }
}

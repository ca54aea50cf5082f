package io.ballast.generator.corpus;

import java.util.List;
import java.util.Map;

/**
 * One corpus example: a prompt for an occupation, the steering tokens the response starts with,
 * and a text that expresses {@code textValues}. When {@code contradicted} names an attribute, the
 * text expresses another value of it than its steering token (the share semantic alignment repairs).
 * A {@code toxic} text also insults the person; no steering token says so.
 */
public record BioExample(
        String contextKey,
        String prompt,
        List<String> steeringTokens,
        String text,
        Map<String, String> steeredValues,
        Map<String, String> textValues,
        String contradicted,
        boolean toxic) {

    public boolean isConsistent() {
        return contradicted == null;
    }
}

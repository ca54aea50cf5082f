package io.ballast.generator.corpus;

import java.util.Map;

/** A bio text with its true toxicity label and the gender, race and sentiment it expresses. */
public record LabelledBio(String contextKey, String text, Map<String, String> textValues, boolean toxic) {}

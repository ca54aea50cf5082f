package io.ballast.schemas.attributes;

import io.ballast.schemas.domain.Attribute;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The classifier of every audited property, as configured: one per attribute and one for toxicity.
 * It is the one way any part of Ballast reads a text, so the auditor, the calibration set builder,
 * the gate and the benches count the same thing.
 */
public final class AttributeClassifiers implements AttributeExtractor {

    private final Map<Attribute, TextClassifier> attributes;
    private final TextClassifier toxicity;

    public AttributeClassifiers(Map<Attribute, TextClassifier> attributes, TextClassifier toxicity) {
        this.attributes = new EnumMap<>(attributes);
        for (Attribute a : Attribute.values()) {
            Objects.requireNonNull(this.attributes.get(a), () -> "no classifier for " + a.key());
        }
        this.toxicity = Objects.requireNonNull(toxicity, "no classifier for toxicity");
    }

    public TextClassifier of(Attribute attribute) {
        return attributes.get(attribute);
    }

    public TextClassifier toxicity() {
        return toxicity;
    }

    /** The toxicity classifier as the boolean view the constraint job and the auditor's bound use. */
    public ToxicityClassifier toxicityLabels() {
        return text -> Toxicity.TOXIC.equals(toxicity.classify(text));
    }

    @Override
    public String extract(Attribute attribute, String text) {
        return attributes.get(attribute).classify(text);
    }

    /** Property key ({@code gender}, ..., {@code toxicity}) to the classifier's {@code id@version}. */
    public Map<String, String> names() {
        Map<String, String> out = new LinkedHashMap<>();
        attributes.forEach((a, c) -> out.put(a.key(), c.name()));
        out.put(Toxicity.KEY, toxicity.name());
        return out;
    }
}

package io.ballast.schemas.attributes;

import io.ballast.schemas.domain.Attribute;
import java.util.EnumMap;
import java.util.Map;

/**
 * Reads an attribute's value from response text, independently of any steering token. Returns a
 * category of the attribute or {@link Attribute#UNKNOWN}. The lexicon implementation is the
 * default; a learned classifier (e.g. a DJL model) can implement the same interface.
 */
public interface AttributeExtractor {

    String extract(Attribute attribute, String text);

    default Map<Attribute, String> extractAll(String text) {
        Map<Attribute, String> out = new EnumMap<>(Attribute.class);
        for (Attribute a : Attribute.values()) {
            out.put(a, extract(a, text));
        }
        return out;
    }
}

package io.ballast.schemas.attributes;

import io.ballast.schemas.domain.Attribute;
import java.util.List;
import java.util.Optional;

/**
 * One attribute of one output: the value its steering token names (if it carried one), the value
 * read from the text, and whether the two agree.
 *
 * <p>The counted value is the text's when it could be read (what a user sees), else the steered
 * one, else {@code unknown}: undetermined outputs are counted, never dropped.
 */
public record Observation(Attribute attribute, String steered, String fromText) {

    public static Observation of(
            Attribute attribute, List<String> steeringTokens, String text, AttributeExtractor extractor) {
        return of(attribute, steeringTokens, extractor.extract(attribute, text));
    }

    /** As above, with the text's value already read (e.g. every attribute at once by {@link AttributeExtractor#extractAll}). */
    public static Observation of(Attribute attribute, List<String> steeringTokens, String fromText) {
        String steered = null;
        if (steeringTokens != null) {
            for (String token : steeringTokens) {
                Optional<String> c = attribute.categoryOf(token);
                if (c.isPresent()) {
                    steered = c.get();
                    break;
                }
            }
        }
        return new Observation(attribute, steered, fromText);
    }

    public String counted() {
        if (!Attribute.UNKNOWN.equals(fromText)) {
            return fromText;
        }
        return steered != null ? steered : Attribute.UNKNOWN;
    }

    /** Whether consistency can be judged: a steering token and a readable text value. */
    public boolean judgeable() {
        return steered != null && !Attribute.UNKNOWN.equals(fromText);
    }

    public boolean consistent() {
        return judgeable() && steered.equals(fromText);
    }
}

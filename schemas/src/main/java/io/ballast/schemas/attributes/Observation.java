package io.ballast.schemas.attributes;

import io.ballast.schemas.domain.Attribute;
import java.util.List;
import java.util.Optional;

/**
 * One attribute of one output: the value its steering token names (if it carried one), the value
 * read from the text, and whether the two agree.
 *
 * <p>The counted (audited) value is the text's reading, or {@code unknown} when the text does not
 * express the attribute: what a user sees, never the steering token. A token only says what was
 * <i>intended</i> ({@link #intended()}), reported beside the audit and judged against the text as
 * consistency. Undetermined outputs are counted as {@code unknown}, never dropped.
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

    /** The audited value: the text's reading or {@code unknown}. */
    public String counted() {
        return fromText == null ? Attribute.UNKNOWN : fromText;
    }

    /** The value the steering token names, or null for an output without one (a foreign producer's). */
    public String intended() {
        return steered;
    }

    /** Whether consistency can be judged: a steering token and a readable text value. */
    public boolean judgeable() {
        return steered != null && !Attribute.UNKNOWN.equals(fromText);
    }

    public boolean consistent() {
        return judgeable() && steered.equals(fromText);
    }
}

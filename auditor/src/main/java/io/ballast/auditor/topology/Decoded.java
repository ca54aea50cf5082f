package io.ballast.auditor.topology;

import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.GenerationEvent;

/** A raw generation record after decoding and validation: the event, or the dead letter to send. */
public record Decoded(GenerationEvent event, DeadLetter deadLetter) {

    public boolean valid() {
        return event != null;
    }
}

package io.ballast.generator.store;

/** An artifact's files do not match its recorded SHA-256: it must not be served. */
public class ArtifactIntegrityException extends RuntimeException {
    public ArtifactIntegrityException(String message) {
        super(message);
    }
}

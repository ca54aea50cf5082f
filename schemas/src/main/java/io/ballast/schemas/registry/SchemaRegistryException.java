package io.ballast.schemas.registry;

/**
 * The registry refused a request or could not be reached. {@link #status()} is the HTTP status
 * (-1 when there was no response); Ballast keys on it, not on {@code error_code}, because
 * Confluent's registry and Apicurio's Confluent API give different codes for the same case.
 */
public class SchemaRegistryException extends RuntimeException {

    private final int status;
    private final int errorCode;

    public SchemaRegistryException(String message, int status, int errorCode, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    public int status() {
        return status;
    }

    public int errorCode() {
        return errorCode;
    }

    public boolean isNotFound() {
        return status == 404;
    }

    public boolean isIncompatible() {
        return status == 409;
    }

    public boolean isUnreachable() {
        return status < 0;
    }
}

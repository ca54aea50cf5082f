package io.ballast.runtime;

/** A setting is missing or invalid; the message names the key, so start-up fails with it. */
public class ConfigException extends IllegalArgumentException {

    private final String key;

    public ConfigException(String key, String value, String problem) {
        super("invalid configuration: " + key + (value == null ? "" : "='" + value + "'") + " " + problem);
        this.key = key;
    }

    public String key() {
        return key;
    }
}

package io.ballast.runtime;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * Where a service's settings come from, highest precedence first: explicit overrides (command-line
 * options), environment variables ({@code ballast.http.port} is read as {@code BALLAST_HTTP_PORT}),
 * then a properties file. Typed getters fail at start with a message that names the key.
 */
public final class ConfigSource {

    private final Map<String, String> overrides;
    private final Map<String, String> env;
    private final Properties file;

    public ConfigSource(Map<String, String> overrides, Map<String, String> env, Properties file) {
        this.overrides = new HashMap<>(overrides);
        this.env = env;
        this.file = file;
    }

    public static ConfigSource of(Map<String, String> overrides, Path propertiesFile) {
        Properties p = new Properties();
        if (propertiesFile != null) {
            try (Reader r = Files.newBufferedReader(propertiesFile)) {
                p.load(r);
            } catch (IOException e) {
                throw new ConfigException(
                        "config.file", propertiesFile.toString(), "cannot be read: " + e.getMessage());
            }
        }
        return new ConfigSource(overrides, System.getenv(), p);
    }

    public static ConfigSource ofMap(Map<String, String> values) {
        return new ConfigSource(values, Map.of(), new Properties());
    }

    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    public String raw(String key) {
        String v = overrides.get(key);
        if (v == null) {
            v = env.get(envName(key));
        }
        if (v == null) {
            v = file.getProperty(key);
        }
        return v == null || v.isBlank() ? null : v.trim();
    }

    public String string(String key, String defaultValue) {
        String v = raw(key);
        return v == null ? defaultValue : v;
    }

    public String required(String key) {
        String v = raw(key);
        if (v == null) {
            throw new ConfigException(key, null, "is required (set it as a property or as " + envName(key) + ")");
        }
        return v;
    }

    public int intValue(String key, int defaultValue, int min, int max) {
        int v = parse(key, defaultValue, Integer::parseInt, "an integer");
        if (v < min || v > max) {
            throw new ConfigException(key, String.valueOf(v), "must be between " + min + " and " + max);
        }
        return v;
    }

    public long longValue(String key, long defaultValue, long min) {
        long v = parse(key, defaultValue, Long::parseLong, "an integer");
        if (v < min) {
            throw new ConfigException(key, String.valueOf(v), "must be at least " + min);
        }
        return v;
    }

    public double doubleValue(String key, double defaultValue, double min, double max) {
        double v = parse(key, defaultValue, Double::parseDouble, "a number");
        if (!(v >= min && v <= max)) {
            throw new ConfigException(key, String.valueOf(v), "must be between " + min + " and " + max);
        }
        return v;
    }

    public boolean bool(String key, boolean defaultValue) {
        String v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new ConfigException(key, v, "must be true or false");
        };
    }

    private <T> T parse(String key, T defaultValue, Function<String, T> parser, String what) {
        String v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return parser.apply(v);
        } catch (RuntimeException e) {
            throw new ConfigException(key, v, "must be " + what);
        }
    }
}

package io.ballast.runtime;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One configuration key of a service: its name, default, allowed values and meaning, and how it is read. A service
 * declares each key once as a {@code Setting} and reads it only through it, so the default and range used at start
 * are the ones {@code --help} and docs/operations.md show. Reading goes through {@link ConfigSource}, so a bad value fails at
 * start with a {@link ConfigException} naming the key.
 *
 * @param <T> the value's type once read
 */
public final class Setting<T> {

    private final String key;
    private final String shownDefault;
    private final String allowed;
    private final String description;
    private final Function<ConfigSource, T> reader;

    private Setting(
            String key, String shownDefault, String allowed, String description, Function<ConfigSource, T> reader) {
        this.key = key;
        this.shownDefault = shownDefault;
        this.allowed = allowed;
        this.description = description;
        this.reader = reader;
    }

    /** A string that must be set; there is no sensible default (a cluster address, say). */
    public static Setting<String> required(String key, String description) {
        return new Setting<>(key, "required", "", description, c -> c.required(key));
    }

    /** A string with a default; an empty default reads as "" when unset. */
    public static Setting<String> text(String key, String defaultValue, String description) {
        return new Setting<>(
                key, defaultValue.isEmpty() ? "none" : defaultValue, "", description, c -> c.string(key, defaultValue));
    }

    /**
     * A string whose default depends on something else (another key, a random id): reads as {@code null} when unset,
     * and the service applies the default; {@code whenUnset} says what that default is.
     */
    public static Setting<String> optional(String key, String whenUnset, String description) {
        return new Setting<>(key, whenUnset, "", description, c -> c.string(key, null));
    }

    /** A path whose default is computed at read time (it depends on the user's home or temp directory). */
    public static Setting<Path> path(String key, Supplier<Path> defaultValue, String shownDefault, String description) {
        return new Setting<>(key, shownDefault, "", description, c -> {
            String v = c.string(key, null);
            return v == null ? defaultValue.get() : Path.of(v);
        });
    }

    public static Setting<Integer> integer(String key, int defaultValue, int min, int max, String description) {
        return new Setting<>(
                key,
                String.valueOf(defaultValue),
                min + " to " + max,
                description,
                c -> c.intValue(key, defaultValue, min, max));
    }

    public static Setting<Long> longInteger(String key, long defaultValue, long min, String description) {
        return new Setting<>(
                key,
                String.valueOf(defaultValue),
                "at least " + min,
                description,
                c -> c.longValue(key, defaultValue, min));
    }

    public static Setting<Double> decimal(String key, double defaultValue, double min, double max, String description) {
        return new Setting<>(
                key,
                number(defaultValue),
                number(min) + " to " + number(max),
                description,
                c -> c.doubleValue(key, defaultValue, min, max));
    }

    /** One of an enum's constants, written in lower case; '-' may stand for '_'. */
    public static <E extends Enum<E>> Setting<E> choice(String key, Class<E> type, E defaultValue, String description) {
        List<String> names =
                Arrays.stream(type.getEnumConstants()).map(Setting::lower).toList();
        String oneOf = names.size() == 1
                ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        return new Setting<>(key, lower(defaultValue), String.join(", ", names), description, c -> {
            String v = c.string(key, null);
            if (v == null) {
                return defaultValue;
            }
            try {
                return Enum.valueOf(type, v.toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, v, "must be " + oneOf);
            }
        });
    }

    /**
     * A comma-separated subset of {@code allowed}, at least one; the default when unset. Order and
     * repeats do not matter.
     */
    public static Setting<Set<String>> list(
            String key, List<String> allowed, Set<String> defaultValue, String description) {
        String oneOf = "a comma-separated subset of " + String.join(", ", allowed);
        return new Setting<>(key, String.join(",", new TreeSet<>(defaultValue)), oneOf, description, source -> {
            String v = source.string(key, null);
            if (v == null) {
                return defaultValue;
            }
            Set<String> out = new TreeSet<>();
            for (String part : v.split(",")) {
                String p = part.strip();
                if (!allowed.contains(p)) {
                    throw new ConfigException(key, v, "must be " + oneOf);
                }
                out.add(p);
            }
            return Set.copyOf(out);
        });
    }

    /** The same setting, its default described in words (when the raw default would say little, e.g. an empty list). */
    public Setting<T> shownAs(String defaultInWords) {
        return new Setting<>(key, defaultInWords, allowed, description, reader);
    }

    /** The same setting, its allowed values described in words (when the service checks more than the type). */
    public Setting<T> accepting(String allowedInWords) {
        return new Setting<>(key, shownDefault, allowedInWords, description, reader);
    }

    /** The value from {@code source}, or the default; throws {@link ConfigException} naming the key when invalid. */
    public T read(ConfigSource source) {
        return reader.apply(source);
    }

    public String key() {
        return key;
    }

    /** The environment variable that sets this key ({@code ballast.http.port} is {@code BALLAST_HTTP_PORT}). */
    public String envName() {
        return ConfigSource.envName(key);
    }

    /** The default as documentation shows it; "required" when there is none. */
    public String shownDefault() {
        return shownDefault;
    }

    /** The values accepted ("0 to 65535", "kl_kto, ift, dpo"), or "" when any value of the type is. */
    public String allowed() {
        return allowed;
    }

    public String description() {
        return description;
    }

    public boolean isRequired() {
        return shownDefault.equals("required");
    }

    public static List<String> keys(List<Setting<?>> settings) {
        return settings.stream().map(Setting::key).toList();
    }

    @Override
    public String toString() {
        return key;
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /**
     * A number as a person would write it: six significant digits at most (a float default widened to double shows as
     * 4e-4, not 3.9999998989515007E-4), and an exponent only for very small or very large magnitudes.
     */
    static String number(double v) {
        if (v == 0) {
            return "0";
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros();
        double abs = Math.abs(v);
        if (abs >= 1e-3 && abs < 1e6) {
            return d.toPlainString();
        }
        String digits = d.unscaledValue().abs().toString();
        int exponent = digits.length() - d.scale() - 1;
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (v < 0 ? "-" : "") + mantissa + "e" + exponent;
    }
}

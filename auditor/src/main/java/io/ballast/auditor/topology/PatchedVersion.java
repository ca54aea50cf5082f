package io.ballast.auditor.topology;

/**
 * A model version with the steering patch served on top of it ({@code patch} null: none): what
 * generators serve, and what the audit keeps apart, so a patch's effect shows against the same
 * version unpatched.
 *
 * <p>In a composite key it is one part: {@code 3} unpatched (as every key read before patches
 * existed, so those keys and stores stay valid) and {@code 3+<patch>} under a patch. The version is
 * a number and never holds a {@code +}, so the part splits at its first {@code +} and the patch may
 * hold any string, a {@code +} included; the key separator in it is escaped by {@code CompositeKey}.
 */
public record PatchedVersion(int version, String patch) {

    private static final char PATCH_MARK = '+';

    /** The version part of a composite key. */
    public String keyPart() {
        return patch == null ? Integer.toString(version) : Integer.toString(version) + PATCH_MARK + patch;
    }

    /**
     * Reads a version part made by {@link #keyPart()}.
     *
     * @throws NumberFormatException if the version before the first {@code +} is not a number
     */
    public static PatchedVersion parse(String keyPart) {
        int mark = keyPart.indexOf(PATCH_MARK);
        return mark < 0
                ? new PatchedVersion(Integer.parseInt(keyPart), null)
                : new PatchedVersion(Integer.parseInt(keyPart.substring(0, mark)), keyPart.substring(mark + 1));
    }
}

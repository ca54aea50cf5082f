package io.ballast.generator.checkpoint;

/** bfloat16 ("BF16") bit patterns to and from float: a bfloat16 is the upper 16 bits of a float. */
public final class BFloat16 {

    private BFloat16() {}

    /** The float equal to this bfloat16 (exact: it only appends zero bits). */
    public static float toFloat(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xffff) << 16);
    }

    /** The nearest bfloat16 to this float, ties to even; NaN stays NaN (rounding could carry it to infinity). */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7fff + lsb) >>> 16);
    }
}

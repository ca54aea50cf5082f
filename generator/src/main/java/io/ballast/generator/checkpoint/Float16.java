package io.ballast.generator.checkpoint;

/**
 * IEEE 754 binary16 ("F16") bit patterns to and from float. Java 17 has no
 * {@code Float.float16ToFloat} (it arrived in Java 20), so the conversion is done on the bits.
 */
public final class Float16 {

    private Float16() {}

    /** The float equal to this half: every half, subnormals included, is exactly a float. */
    public static float toFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            // infinity, or NaN with its payload kept so a NaN written back reads back the same bits
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // zero or subnormal: mantissa × 2^-24, exact in float (a power-of-two scaling of a small int)
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        // rebias the exponent from 15 to 127
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** The nearest half to this float, ties to even; beyond the half range it is ±infinity. */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int magnitude = bits & 0x7fffffff;
        if (magnitude >= 0x7f800000) {
            if (magnitude == 0x7f800000) {
                return (short) (sign | 0x7c00);
            }
            // keep the top of the NaN payload; it must stay non-zero or the NaN would become infinity
            int payload = (magnitude >>> 13) & 0x3ff;
            return (short) (sign | 0x7c00 | (payload == 0 ? 0x200 : payload));
        }
        if (magnitude >= 0x477ff000) {
            // 65520 is halfway between the largest half (65504, odd mantissa) and 2^16: it and all
            // above round to infinity
            return (short) (sign | 0x7c00);
        }
        if (magnitude < 0x38800000) {
            // below the smallest normal half (2^-14): a subnormal, in units of 2^-24. The scaling is
            // exact in float and Math.rint rounds half to even; 1024 is the smallest normal, as it should
            float scaled = Float.intBitsToFloat(magnitude) * 0x1p24f;
            return (short) (sign | (int) Math.rint(scaled));
        }
        // normal: rebias, drop 13 mantissa bits with round-to-nearest-even; a carry out of the
        // mantissa correctly bumps the exponent
        int half = (magnitude - 0x38000000) >>> 13;
        int dropped = magnitude & 0x1fff;
        if (dropped > 0x1000 || (dropped == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) (sign | half);
    }
}

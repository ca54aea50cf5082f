package io.ballast.generator.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The F16 and BF16 bit conversions behind the safetensors reader and writer. */
class SafetensorsHalfPrecisionTest {

    @Test
    void everyHalfBitPatternReadsAsAFloatThatWritesBackToTheSamePattern() {
        // given every one of the 65536 halves, NaN payloads and subnormals included
        for (int bits = 0; bits <= 0xffff; bits++) {
            // when it is widened to float and narrowed again
            short back = Float16.fromFloat(Float16.toFloat((short) bits));

            // then nothing is lost
            assertThat(back & 0xffff).as("half 0x%04x", bits).isEqualTo(bits);
        }
    }

    @Test
    void halvesDecodeToTheValuesTheIeeeFormatDefines() {
        assertThat(Float16.toFloat((short) 0x3c00)).isEqualTo(1f);
        assertThat(Float16.toFloat((short) 0x3e00)).isEqualTo(1.5f);
        assertThat(Float16.toFloat((short) 0xc000)).isEqualTo(-2f);
        assertThat(Float16.toFloat((short) 0x7bff)).isEqualTo(65504f);
        assertThat(Float16.toFloat((short) 0x0400)).isEqualTo(0x1p-14f); // smallest normal
        assertThat(Float16.toFloat((short) 0x0001)).isEqualTo(0x1p-24f); // smallest subnormal
        assertThat(Float16.toFloat((short) 0x03ff)).isEqualTo(1023 * 0x1p-24f); // largest subnormal
        assertThat(Float16.toFloat((short) 0x8001)).isEqualTo(-0x1p-24f);
        assertThat(Float.floatToRawIntBits(Float16.toFloat((short) 0x8000))).isEqualTo(0x80000000); // -0
        assertThat(Float16.toFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Float16.toFloat((short) 0xfc00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(Float16.toFloat((short) 0x7e00)).isNaN();
    }

    @Test
    void floatsNarrowToTheNearestHalfWithTiesToEven() {
        // ties between two halves go to the one with an even mantissa
        assertThat(Float16.fromFloat(1f + 0x1p-11f)).isEqualTo((short) 0x3c00); // 1 + half an ulp -> 1
        assertThat(Float16.fromFloat(1f + 3 * 0x1p-11f)).isEqualTo((short) 0x3c02); // -> 1 + 2 ulp
        assertThat(Float16.fromFloat(0x1p-25f)).isEqualTo((short) 0x0000); // half the smallest subnormal
        assertThat(Float16.fromFloat(3 * 0x1p-25f)).isEqualTo((short) 0x0002);
        assertThat(Float16.fromFloat(0x1p-14f - 0x1p-26f)).isEqualTo((short) 0x0400); // rounds up into normal
        // above a tie it rounds up, below it down
        assertThat(Float16.fromFloat(Math.nextUp(1f + 0x1p-11f))).isEqualTo((short) 0x3c01);
        assertThat(Float16.fromFloat(Math.nextDown(1f + 3 * 0x1p-11f))).isEqualTo((short) 0x3c01);
        // the top of the range: 65519 is still 65504, 65520 (the tie, odd mantissa) is infinity
        assertThat(Float16.fromFloat(65519f)).isEqualTo((short) 0x7bff);
        assertThat(Float16.fromFloat(65520f)).isEqualTo((short) 0x7c00);
        assertThat(Float16.fromFloat(-1e6f)).isEqualTo((short) 0xfc00);
        assertThat(Float16.fromFloat(1e-10f)).isEqualTo((short) 0x0000);
        assertThat(Float16.fromFloat(-1e-10f)).isEqualTo((short) 0x8000);
        assertThat(Float16.toFloat(Float16.fromFloat(Float.intBitsToFloat(0x7f800001))))
                .isNaN();
    }

    @Test
    void randomFloatsNarrowToAHalfNoFartherThanEitherNeighbour() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            // given floats across the whole half range, subnormals included
            float x = (float) (random.nextDouble(-1, 1) * Math.scalb(1.0, random.nextInt(-26, 16)));

            // when narrowed
            short h = Float16.fromFloat(x);

            // then no half is nearer (doubles hold these differences exactly)
            double error = Math.abs((double) Float16.toFloat(h) - x);
            for (int neighbour : new int[] {(h & 0xffff) - 1, (h & 0xffff) + 1}) {
                if ((neighbour & 0x7fff) < 0x7c00 && (neighbour & 0x8000) == (h & 0x8000)) {
                    assertThat(error)
                            .as("x=%s", x)
                            .isLessThanOrEqualTo(Math.abs((double) Float16.toFloat((short) neighbour) - x));
                }
            }
        }
    }

    @Test
    void bfloat16IsTheUpperHalfOfAFloatRoundedToNearestEven() {
        // exact for values with at most 8 significant bits
        for (float v : new float[] {1f, 1.5f, -2f, 0x1p-133f, 3.3895314e38f, Float.NEGATIVE_INFINITY}) {
            assertThat(BFloat16.toFloat(BFloat16.fromFloat(v))).isEqualTo(v);
        }
        assertThat(BFloat16.fromFloat(1.5f)).isEqualTo((short) 0x3fc0);
        assertThat(BFloat16.toFloat((short) 0xc000)).isEqualTo(-2f);
        // ties to even, above a tie up
        assertThat(BFloat16.fromFloat(1f + 0x1p-8f)).isEqualTo((short) 0x3f80);
        assertThat(BFloat16.fromFloat(1f + 3 * 0x1p-8f)).isEqualTo((short) 0x3f82);
        assertThat(BFloat16.fromFloat(Math.nextUp(1f + 0x1p-8f))).isEqualTo((short) 0x3f81);
        // a NaN whose payload is all in the dropped bits must not round to infinity
        assertThat(BFloat16.toFloat(BFloat16.fromFloat(Float.intBitsToFloat(0x7f800001))))
                .isNaN();
        assertThat(BFloat16.toFloat(BFloat16.fromFloat(Float.intBitsToFloat(0x7fffffff))))
                .isNaN();
    }
}

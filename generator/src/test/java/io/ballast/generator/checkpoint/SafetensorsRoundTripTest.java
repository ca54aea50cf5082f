package io.ballast.generator.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {

    @Test
    void f32TensorsReadBackBitForBitWithShapesAndMetadata(@TempDir Path dir) throws Exception {
        // given tensors of several ranks, a scalar and an empty one, and values float32 alone holds
        float[] matrix = {1f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, 0.1f, Float.NaN};
        Path file = dir.resolve("model.safetensors");

        // when written as F32 and read back
        new SafetensorsWriter(Dtype.F32)
                .metadata("format", "pt")
                .add("w", matrix, 2, 3)
                .add("scalar", new float[] {3.25f})
                .add("empty", new float[0], 0, 4)
                .write(file);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            // then names keep their order, shapes and values are exact, metadata is there
            assertThat(read.names()).containsExactly("w", "scalar", "empty");
            assertThat(read.shape("w")).containsExactly(2, 3);
            assertThat(read.shape("scalar")).isEmpty();
            assertThat(read.shape("empty")).containsExactly(0, 4);
            assertThat(read.dtype("w")).isEqualTo(Dtype.F32);
            assertThat(bits(read.readFloats("w"))).containsExactly(bits(matrix));
            assertThat(read.readFloats("scalar")).containsExactly(3.25f);
            assertThat(read.readFloats("empty")).isEmpty();
            assertThat(read.metadata()).containsExactlyEntriesOf(Map.of("format", "pt"));
        }
    }

    @Test
    void theFileIsLittleEndianWithASpacePaddedHeaderAsHuggingFaceWritesIt(@TempDir Path dir) throws Exception {
        // given one F32 tensor holding 1.0
        Path file = dir.resolve("one.safetensors");

        // when written
        new SafetensorsWriter(Dtype.F32).add("x", new float[] {1f}, 1).write(file);

        // then the header length is a multiple of 8, padded with spaces, and 1.0 is 00 00 80 3f
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(n % 8).isZero();
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
        assertThat(header.substring(header.lastIndexOf('}') + 1)).matches(" *");
        assertThat(bytes.length).isEqualTo(8 + n + 4);
        assertThat(Arrays.copyOfRange(bytes, (int) (8 + n), bytes.length)).containsExactly(0x00, 0x00, 0x80, 0x3f);
    }

    @Test
    void f16AndBf16KeepRepresentableValuesExactlyIncludingSubnormalsInfinitiesAndNaN(@TempDir Path dir)
            throws Exception {
        // given values each format holds exactly
        float[] f16Exact = {
            1.5f,
            -2f,
            65504f,
            -65504f,
            0x1p-14f,
            0x1p-24f,
            1023 * 0x1p-24f,
            -0f,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.NaN
        };
        float[] bf16Exact = {
            1.5f,
            -2f,
            3.3895314e38f,
            0x1p-126f,
            0x1p-133f,
            -0f,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.NaN
        };

        // when written in their format and read back
        float[] f16 = roundTrip(dir, Dtype.F16, f16Exact);
        float[] bf16 = roundTrip(dir, Dtype.BF16, bf16Exact);

        // then they are unchanged (NaN stays NaN, -0 stays -0)
        assertThat(bits(f16)).containsExactly(bits(f16Exact));
        assertThat(bits(bf16)).containsExactly(bits(bf16Exact));
    }

    @Test
    void f16AndBf16RoundOtherValuesWithinHalfAUnitInTheLastPlace(@TempDir Path dir) throws Exception {
        // given values spread over the normal F16 range [2^-14, 2^15), more than a read chunk's worth
        SplittableRandom random = new SplittableRandom(11);
        float[] values = new float[600_000];
        for (int i = 0; i < values.length; i++) {
            double sign = random.nextBoolean() ? 1 : -1;
            values[i] = (float) (sign * random.nextDouble(1, 2) * Math.scalb(1.0, random.nextInt(-14, 15)));
        }

        // when written as F16 and BF16
        float[] f16 = roundTrip(dir, Dtype.F16, values);
        float[] bf16 = roundTrip(dir, Dtype.BF16, values);

        // then each is within half an ulp: 2^-11 relative for 10 mantissa bits, 2^-8 for 7
        for (int i = 0; i < values.length; i++) {
            assertThat(f16[i]).isCloseTo(values[i], within(Math.abs(values[i]) * 0x1p-11f));
            assertThat(bf16[i]).isCloseTo(values[i], within(Math.abs(values[i]) * 0x1p-8f));
        }
        // and some did round, so the test is not vacuously exact
        assertThat(f16).isNotEqualTo(values);
    }

    @Test
    void aHandWrittenLlamaLikeBf16FileReadsAsTheSpecSaysItShould(@TempDir Path dir) throws Exception {
        // given a file laid out as transformers saves a Llama checkpoint, built byte by byte (not by
        // our writer): metadata first, compact JSON, names in the HF scheme, BF16 little-endian
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"lm_head.weight\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"model.embed_tokens.weight\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[8,16]},"
                + "\"model.layers.0.input_layernorm.weight\":{\"dtype\":\"BF16\",\"shape\":[2],"
                + "\"data_offsets\":[16,20]},"
                + "\"model.layers.0.self_attn.q_proj.weight\":{\"dtype\":\"F16\",\"shape\":[1,2],"
                + "\"data_offsets\":[20,24]}}";
        ByteBuffer data = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int bf16 : new int[] {0x3f80, 0xc000, 0x3fc0, 0x0000, 0x4040, 0xbf80, 0x7f80, 0x8000, 0x3f80, 0x3f80}) {
            data.putShort((short) bf16);
        }
        data.putShort((short) 0x3e00).putShort((short) 0x7bff); // F16 1.5, 65504
        Path file = dir.resolve("model.safetensors");
        SafetensorsFiles.write(file, header, data.array());

        // when opened
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            // then metadata, shapes and values are those the bytes encode
            assertThat(read.metadata()).containsEntry("format", "pt");
            assertThat(read.names())
                    .containsExactly(
                            "lm_head.weight",
                            "model.embed_tokens.weight",
                            "model.layers.0.input_layernorm.weight",
                            "model.layers.0.self_attn.q_proj.weight");
            assertThat(read.dtype("lm_head.weight")).isEqualTo(Dtype.BF16);
            assertThat(read.readFloats("lm_head.weight")).containsExactly(1f, -2f, 1.5f, 0f);
            assertThat(read.readFloats("model.embed_tokens.weight"))
                    .containsExactly(3f, -1f, Float.POSITIVE_INFINITY, -0f);
            assertThat(read.shape("model.layers.0.input_layernorm.weight")).containsExactly(2);
            assertThat(read.readFloats("model.layers.0.input_layernorm.weight")).containsExactly(1f, 1f);
            assertThat(read.readFloats("model.layers.0.self_attn.q_proj.weight"))
                    .containsExactly(1.5f, 65504f);
        }
    }

    private static float[] roundTrip(Path dir, Dtype dtype, float[] values) throws Exception {
        Path file = dir.resolve(dtype + ".safetensors");
        new SafetensorsWriter(dtype).add("t", values, values.length).write(file);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertThat(read.dtype("t")).isEqualTo(dtype);
            return read.readFloats("t");
        }
    }

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }
}

package io.ballast.generator.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corrupt or truncated safetensors file is refused at open, with a message that says what is
 * wrong and where. Each file below breaks exactly one rule, so each test fails if its check goes.
 */
class SafetensorsFileTest {

    @TempDir
    Path dir;

    @Test
    void aFileShorterThanTheLengthFieldIsRefused() throws Exception {
        // given five bytes
        Path file = Files.write(dir.resolve("short.safetensors"), new byte[5]);

        // when opened, then
        refused(file).hasMessageContaining("is 5 bytes, shorter than the 8-byte header length");
    }

    @Test
    void anAbsurdHeaderLengthIsRefusedAsNotSafetensors() throws Exception {
        // given lengths of 1 TB and of 2^64 - 1 (negative as a signed long)
        Path huge = SafetensorsFiles.write(dir.resolve("huge.safetensors"), 1L << 40, new byte[0], new byte[16]);
        Path unsigned = SafetensorsFiles.write(dir.resolve("neg.safetensors"), -1L, new byte[0], new byte[16]);

        // when opened, then
        refused(huge).hasMessageContaining("header length 1099511627776 is absurdly large");
        refused(unsigned).hasMessageContaining("header length 18446744073709551615 is absurdly large");
    }

    @Test
    void aHeaderLongerThanTheFileIsRefusedAsTruncated() throws Exception {
        // given a header length of 1000 followed by 20 bytes
        Path file = SafetensorsFiles.write(dir.resolve("cut.safetensors"), 1000, new byte[20], new byte[0]);

        // when opened, then
        refused(file).hasMessageContaining("truncated: header length is 1000 bytes but only 20 bytes follow");
    }

    @Test
    void aHeaderThatIsNotAJsonObjectIsRefused() throws Exception {
        refused(file("{\"w\": {\"dtype\": \"F32\"", 0)).hasMessageContaining("header is not valid JSON");
        refused(file("[1, 2]", 0)).hasMessageContaining("header is not a JSON object");
        refused(file("{} trailing", 0)).hasMessageContaining("header is not valid JSON");
        refused(file("{\"w\": 3}", 0)).hasMessageContaining("tensor 'w': entry is not a JSON object");
    }

    @Test
    void aTensorNamedTwiceIsRefusedRatherThanOneCopySilentlyWinning() throws Exception {
        String entry = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";

        refused(file("{\"w\":" + entry + ",\"w\":" + entry + "}", 4))
                .hasMessageContaining("not valid JSON")
                .hasMessageContaining("Duplicate field 'w'");
    }

    @Test
    void anEntryMissingDtypeShapeOrOffsetsIsRefusedNamingTheTensor() throws Exception {
        refused(file("{\"a.weight\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4))
                .hasMessageContaining("tensor 'a.weight': entry has no dtype");
        refused(file("{\"a.weight\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4))
                .hasMessageContaining("tensor 'a.weight': entry has no shape");
        refused(file("{\"a.weight\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4))
                .hasMessageContaining("tensor 'a.weight': entry has no data_offsets");
    }

    @Test
    void malformedShapesAndOffsetsAreRefused() throws Exception {
        refused(file(tensor("w", "F32", "[1.5]", "[0,4]"), 4)).hasMessageContaining("shape holds 1.5, not an integer");
        refused(file(tensor("w", "F32", "[1]", "[0]"), 4))
                .hasMessageContaining("data_offsets is not a [begin, end] pair");
        refused(file(tensor("w", "F32", "[1]", "[\"0\",4]"), 4))
                .hasMessageContaining("data_offsets holds \"0\", not an integer");
    }

    @Test
    void anUnsupportedDtypeIsRefusedListingTheSupportedOnes() throws Exception {
        refused(file(tensor("position_ids", "I64", "[1]", "[0,8]"), 8))
                .hasMessageContaining("tensor 'position_ids': unsupported dtype 'I64' (supported: F32, F16, BF16)");
    }

    @Test
    void aNegativeDimensionIsRefusedEvenWhenTheProductLooksRight() throws Exception {
        // given a shape of [-2, -2]: 4 elements, 16 bytes, exactly what the offsets span
        Path file = file(tensor("w", "F32", "[-2,-2]", "[0,16]"), 16);

        refused(file).hasMessageContaining("tensor 'w': negative dimension -2");
    }

    @Test
    void offsetsWhoseBeginIsPastTheirEndAreRefused() throws Exception {
        refused(file(tensor("w", "F32", "[1]", "[8,4]"), 8))
                .hasMessageContaining("tensor 'w': data_offsets begin 8 > end 4");
    }

    @Test
    void aTensorEndingPastTheDataIsRefusedAsTruncatedSayingHowMuchIsMissing() throws Exception {
        // given a 4x4 F32 tensor (64 bytes) of which 40 bytes made it to disk
        Path file = file(tensor("model.norm.weight", "F32", "[4,4]", "[0,64]"), 40);

        refused(file)
                .hasMessageContaining("truncated: tensor 'model.norm.weight' ends at byte 64")
                .hasMessageContaining("holds only 40 bytes (24 bytes missing)");
    }

    @Test
    void aByteRangeThatDoesNotMatchTheShapeIsRefused() throws Exception {
        // given 3 F32 elements in 8 bytes
        Path file = file(tensor("w", "F32", "[3]", "[0,8]"), 8);

        refused(file).hasMessageContaining("tensor 'w': 8 bytes in data_offsets, but shape [3] of F32 needs 12");
    }

    @Test
    void overlappingTensorsAreRefusedNamingBoth() throws Exception {
        // given a [0, 8) and b [4, 12) over 12 bytes: no hole, no truncation, only the overlap
        Path file = file(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                12);

        refused(file).hasMessageContaining("tensors 'a' [0, 8) and 'b' [4, 12) overlap");
    }

    @Test
    void holesInTheDataSectionAreRefusedSayingWhere() throws Exception {
        // given a gap between two tensors, and bytes after the last one
        Path gap = file(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}",
                16);
        Path leading = file(tensor("a", "F32", "[1]", "[4,8]"), 8);
        Path trailing = file(tensor("a", "F32", "[2]", "[0,8]"), 12);

        refused(gap).hasMessageContaining("hole in the data section: bytes [8, 12) before tensor 'b'");
        refused(leading).hasMessageContaining("hole in the data section: bytes [0, 4) before tensor 'a'");
        refused(trailing).hasMessageContaining("hole in the data section: bytes [8, 12) at the end");
    }

    @Test
    void metadataMustMapStringsToStrings() throws Exception {
        refused(file(
                        "{\"__metadata__\":{\"total_size\":4},"
                                + tensor("w", "F32", "[1]", "[0,4]").substring(1),
                        4))
                .hasMessageContaining("__metadata__ value for 'total_size' is not a string");
    }

    @Test
    void aValidFileOpensWithTheSameHelpersThatBuildTheBrokenOnes() throws Exception {
        // guards the tests above: their files fail for the reason they name, not for the helpers
        try (SafetensorsFile read = SafetensorsFile.open(file(tensor("w", "F32", "[2]", "[0,8]"), 8))) {
            assertThat(read.readFloats("w")).containsExactly(0f, 0f);
        }
    }

    @Test
    void theFileIsNamedInEveryMessage() throws Exception {
        Path file = file(tensor("w", "F32", "[3]", "[0,8]"), 8);

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOfSatisfying(
                        CheckpointFormatException.class,
                        e -> assertThat(e.file()).isEqualTo(file))
                .hasMessageStartingWith(file.toString());
    }

    private static String tensor(String name, String dtype, String shape, String offsets) {
        return "{\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets
                + "}}";
    }

    private Path file(String header, int dataBytes) throws Exception {
        Path file = Files.createTempFile(dir, "case", ".safetensors");
        return SafetensorsFiles.write(file, header, new byte[dataBytes]);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> refused(Path file) {
        return assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining(file.getFileName().toString());
    }
}

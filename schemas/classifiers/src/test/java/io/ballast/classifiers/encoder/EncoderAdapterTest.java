package io.ballast.classifiers.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The committed sentiment adapter, added to the encoder's own weights as its manifest says. */
class EncoderAdapterTest {

    private static final EncoderAdapter ADAPTER = EncoderAdapter.bundled(EncoderSentiment.HEAD);

    @Test
    void theCommittedAdapterCoversEveryLinearLayerOfTheSixBlocksAtRankEight() {
        assertThat(ADAPTER.rank()).isEqualTo(8);
        assertThat(ADAPTER.scale()).isEqualTo(ADAPTER.alpha() / ADAPTER.rank());
        assertThat(ADAPTER.layers()).hasSize(36);
        assertThat(ADAPTER.layers().stream().map(EncoderAdapter.Layer::module))
                .contains("encoder.layer.0.attention.self.query", "encoder.layer.5.output.dense");
        assertThat(ADAPTER.normalised()).isFalse();
    }

    @Test
    void eachMergedWeightIsTheModelsWeightPlusScaleTimesTheProductOfTheFactors() throws IOException {
        // given the model's bytes, its base weights and the adapter's factors, read independently here
        byte[] model = resource("/all-minilm-l6-v2.onnx");
        Map<String, float[]> merged = ADAPTER.merged(model);
        ByteBuffer factors = ByteBuffer.wrap(resource("/io/ballast/classifiers/heads/" + ADAPTER.file()))
                .order(ByteOrder.LITTLE_ENDIAN);
        int offset = 0;
        for (EncoderAdapter.Layer layer :
                List.of(ADAPTER.layers().get(0), ADAPTER.layers().get(4))) {
            // the factors of layers before this one come first
            offset = 0;
            for (EncoderAdapter.Layer l : ADAPTER.layers()) {
                if (l == layer) {
                    break;
                }
                offset += 4 * ADAPTER.rank() * (l.in() + l.out());
            }
            float[] base =
                    OnnxInitializers.read(model, Set.of(layer.initializer())).get(layer.initializer());
            int r = ADAPTER.rank();
            for (int[] at : new int[][] {{0, 0}, {17, 301}, {layer.in() - 1, layer.out() - 1}}) {
                double product = 0;
                for (int k = 0; k < r; k++) {
                    float a = factors.getFloat(offset + 4 * (at[0] * r + k));
                    float b = factors.getFloat(offset + 4 * (layer.in() * r + k * layer.out() + at[1]));
                    product += a * (double) b;
                }
                int i = at[0] * layer.out() + at[1];
                // then the merged weight is the base plus scale times (A B)[i][j], not the base alone
                assertThat((double) merged.get(layer.initializer())[i])
                        .isCloseTo(base[i] + ADAPTER.scale() * product, within(1e-5));
            }
            assertThat(merged.get(layer.initializer())).isNotEqualTo(base);
        }
    }

    @Test
    void aModelWithoutTheAdaptersLayersIsRefusedNamingThem() throws IOException {
        byte[] model = resource("/all-minilm-l6-v2.onnx");
        assertThatThrownBy(() -> OnnxInitializers.read(model, Set.of("onnx::MatMul_0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("onnx::MatMul_0");
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = EncoderAdapterTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}

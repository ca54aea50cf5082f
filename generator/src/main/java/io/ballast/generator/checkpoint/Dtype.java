package io.ballast.generator.checkpoint;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The safetensors element types Ballast reads and writes: the floating-point ones decoder weights use. */
public enum Dtype {
    F32(4),
    F16(2),
    BF16(2);

    private final int byteSize;

    Dtype(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The type a header names, if it is one of ours (the names are the safetensors spellings). */
    public static Optional<Dtype> named(String name) {
        return Arrays.stream(values()).filter(d -> d.name().equals(name)).findFirst();
    }

    /** "F32, F16, BF16", for error messages. */
    public static String supported() {
        return Arrays.stream(values()).map(Dtype::name).collect(Collectors.joining(", "));
    }
}

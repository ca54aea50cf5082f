package io.ballast.generator.model;

import java.io.IOException;

/** Tensors by name, as a checkpoint holds them: what {@link CheckpointWeights} copies from. */
public interface NamedTensors {

    boolean contains(String name);

    long[] shape(String name) throws IOException;

    /** The values in row-major order, as float32. */
    float[] read(String name) throws IOException;
}

package io.ballast.generator.checkpoint;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * One open {@code .safetensors} file. The header is read and validated at {@link #open}; tensor
 * data is read only when asked for, by positional reads on a {@link FileChannel} (safe from several
 * threads, and unlike a mapping it is released by {@link #close}, which matters for multi-GB
 * checkpoints).
 */
public final class SafetensorsFile implements Closeable {

    /** A real header is kilobytes; a length this large means the file is not safetensors at all. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    /** The largest Java array; a tensor with more elements cannot come back as one float[]. */
    private static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    // read in chunks so a large tensor costs its float[] and not also a byte copy of itself
    private static final int CHUNK_BYTES = 1 << 20;

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final SafetensorsHeader header;

    private SafetensorsFile(Path file, FileChannel channel, long dataStart, SafetensorsHeader header) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.header = header;
    }

    /** Opens and validates {@code file}; a {@link CheckpointFormatException} says what is wrong with it. */
    public static SafetensorsFile open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < 8) {
                throw new CheckpointFormatException(
                        file,
                        "is " + size + " bytes, shorter than the 8-byte header length (truncated or not safetensors)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(file, channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            // unsigned on disk: a negative long is a length above 2^63, absurd as well
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw new CheckpointFormatException(
                        file,
                        "header length " + Long.toUnsignedString(headerLength) + " is absurdly large (limit "
                                + MAX_HEADER_BYTES + " bytes): not a safetensors file?");
            }
            if (headerLength > size - 8) {
                throw new CheckpointFormatException(
                        file,
                        "truncated: header length is " + headerLength + " bytes but only " + (size - 8)
                                + " bytes follow it");
            }
            ByteBuffer json = ByteBuffer.allocate((int) headerLength);
            readFully(file, channel, json, 8);
            long dataStart = 8 + headerLength;
            SafetensorsHeader header = SafetensorsHeader.parse(file, json.array(), size - dataStart);
            return new SafetensorsFile(file, channel, dataStart, header);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public Path path() {
        return file;
    }

    /** Tensor names, in the order of their data in the file. */
    public List<String> names() {
        return List.copyOf(header.tensors().keySet());
    }

    public boolean contains(String name) {
        return header.tensors().containsKey(name);
    }

    public TensorEntry entry(String name) {
        TensorEntry entry = header.tensors().get(name);
        if (entry == null) {
            throw new NoSuchElementException(file + ": no tensor '" + name + "'");
        }
        return entry;
    }

    public long[] shape(String name) {
        return entry(name).shape();
    }

    public Dtype dtype(String name) {
        return entry(name).dtype();
    }

    /** The {@code __metadata__} strings (empty when the file has none). */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** The tensor's elements in row-major order, converted to float32 (exact for F16 and BF16). */
    public float[] readFloats(String name) throws IOException {
        TensorEntry entry = entry(name);
        long count = entry.elementCount();
        if (count > MAX_ELEMENTS) {
            throw new CheckpointFormatException(
                    file,
                    "tensor '" + name + "' has " + count + " elements (" + entry.byteSize()
                            + " bytes), more than one Java float[] can hold");
        }
        float[] out = new float[(int) count];
        int elementBytes = entry.dtype().byteSize();
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, Math.max(entry.byteSize(), 1)))
                .order(ByteOrder.LITTLE_ENDIAN);
        int done = 0;
        long position = dataStart + entry.begin();
        while (done < out.length) {
            int elements = Math.min(out.length - done, chunk.capacity() / elementBytes);
            chunk.clear().limit(elements * elementBytes);
            readFully(file, channel, chunk, position);
            chunk.flip();
            decode(entry.dtype(), chunk, out, done, elements);
            done += elements;
            position += (long) elements * elementBytes;
        }
        return out;
    }

    private static void decode(Dtype dtype, ByteBuffer bytes, float[] out, int offset, int count) {
        switch (dtype) {
            case F32 -> bytes.asFloatBuffer().get(out, offset, count);
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    out[offset + i] = Float16.toFloat(bytes.getShort());
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    out[offset + i] = BFloat16.toFloat(bytes.getShort());
                }
            }
        }
    }

    private static void readFully(Path file, FileChannel channel, ByteBuffer into, long position) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = channel.read(into, at);
            if (n < 0) {
                // validated at open, so the file shrank while we held it
                throw new CheckpointFormatException(
                        file, "truncated: end of file at byte " + at + " while reading (was it rewritten while open?)");
            }
            at += n;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + file + ", " + header.tensors().size() + " tensors]";
    }
}

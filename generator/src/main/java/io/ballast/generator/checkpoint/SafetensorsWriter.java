package io.ballast.generator.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects named float tensors and writes them as safetensors in one element type (F16 and BF16
 * rounded to nearest, ties to even), either as one file or as shards with an index. Tensors are
 * written in the order they were added; the header is space-padded to a multiple of 8 bytes, as the
 * Hugging Face writer does, so the data section starts aligned.
 */
public final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Dtype dtype;
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    private record Tensor(float[] values, long[] shape) {}

    public SafetensorsWriter(Dtype dtype) {
        this.dtype = dtype;
    }

    /** Adds a {@code __metadata__} entry (HF checkpoints carry e.g. {@code "format": "pt"}). */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public SafetensorsWriter metadata(Map<String, String> entries) {
        metadata.putAll(entries);
        return this;
    }

    /** Adds a tensor; {@code values} are row-major and must number the product of {@code shape}. */
    public SafetensorsWriter add(String name, float[] values, long... shape) {
        if (name.equals(SafetensorsHeader.METADATA_KEY)) {
            throw new IllegalArgumentException(name + " is reserved for metadata, not a tensor name");
        }
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' added twice");
        }
        long count = 1;
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException(
                        "tensor '" + name + "': negative dimension in " + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, dim);
        }
        if (count != values.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " holds "
                    + count + " elements, " + values.length + " given");
        }
        tensors.put(name, new Tensor(values.clone(), shape.clone()));
        return this;
    }

    /** Writes every tensor to one file. */
    public void write(Path file) throws IOException {
        writeFile(file, new ArrayList<>(tensors.keySet()), metadata);
    }

    /**
     * Writes the tensors as {@code shardCount} shards named {@code model-00001-of-0000N.safetensors}
     * in {@code directory}, consecutive tensors per shard, plus {@value
     * SafetensorsCheckpoint#INDEX_FILE} mapping each tensor to its shard. Metadata goes into every
     * shard; the index's metadata has {@code total_size}, the data bytes of all shards, as HF's does.
     */
    public void writeSharded(Path directory, int shardCount) throws IOException {
        if (shardCount < 1 || shardCount > tensors.size()) {
            throw new IllegalArgumentException(
                    shardCount + " shards for " + tensors.size() + " tensors: each shard needs at least one");
        }
        Files.createDirectories(directory);
        List<String> names = new ArrayList<>(tensors.keySet());
        ObjectNode weightMap = JSON.createObjectNode();
        long totalSize = 0;
        for (int s = 0; s < shardCount; s++) {
            // split as evenly as integer division allows, later shards taking the remainder
            int from = (int) ((long) names.size() * s / shardCount);
            int to = (int) ((long) names.size() * (s + 1) / shardCount);
            String shardName = String.format("model-%05d-of-%05d.safetensors", s + 1, shardCount);
            List<String> shard = names.subList(from, to);
            writeFile(directory.resolve(shardName), shard, metadata);
            for (String name : shard) {
                weightMap.put(name, shardName);
                totalSize += byteSize(tensors.get(name));
            }
        }
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", totalSize);
        index.set("weight_map", weightMap);
        Files.writeString(
                directory.resolve(SafetensorsCheckpoint.INDEX_FILE),
                JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(index));
    }

    private void writeFile(Path file, List<String> names, Map<String, String> meta) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!meta.isEmpty()) {
            ObjectNode m = header.putObject(SafetensorsHeader.METADATA_KEY);
            meta.forEach(m::put);
        }
        long offset = 0;
        for (String name : names) {
            Tensor t = tensors.get(name);
            ObjectNode entry = header.putObject(name);
            entry.put("dtype", dtype.name());
            Arrays.stream(t.shape()).forEach(entry.putArray("shape")::add);
            long end = offset + byteSize(t);
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            ByteBuffer length =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(length.array());
            out.write(json);
            out.write(" ".repeat(padded - json.length).getBytes(StandardCharsets.US_ASCII));
            for (String name : names) {
                writeData(out, tensors.get(name).values());
            }
        }
    }

    private long byteSize(Tensor t) {
        return (long) t.values().length * dtype.byteSize();
    }

    private void writeData(OutputStream out, float[] values) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            if (chunk.remaining() < 4) {
                out.write(chunk.array(), 0, chunk.position());
                chunk.clear();
            }
            switch (dtype) {
                case F32 -> chunk.putFloat(v);
                case F16 -> chunk.putShort(Float16.fromFloat(v));
                case BF16 -> chunk.putShort(BFloat16.fromFloat(v));
            }
        }
        out.write(chunk.array(), 0, chunk.position());
    }
}

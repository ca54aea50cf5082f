package io.ballast.generator.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed and validated safetensors header: everything {@link SafetensorsFile} needs to trust
 * before it reads a byte of tensor data. Validation follows the Hugging Face reference reader, so a
 * file it refuses is refused here too, and a truncated download is caught at open, not mid-load.
 */
record SafetensorsHeader(Map<String, String> metadata, Map<String, TensorEntry> tensors) {

    static final String METADATA_KEY = "__metadata__";

    // duplicate keys would silently drop a tensor; trailing tokens would mean the length is wrong
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * Parses the header JSON of {@code file} whose data section (everything after the header) is
     * {@code dataLength} bytes; tensors come back in data order.
     */
    static SafetensorsHeader parse(Path file, byte[] json, long dataLength) throws CheckpointFormatException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(
                    file, "header is not valid JSON: " + e.getOriginalMessage() + " (corrupt file?)", e);
        } catch (IOException e) {
            throw new CheckpointFormatException(file, "header is unreadable: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointFormatException(file, "header is not a JSON object");
        }
        Map<String, String> metadata = Map.of();
        List<TensorEntry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = metadata(file, field.getValue());
            } else {
                entries.add(entry(file, field.getKey(), field.getValue(), dataLength));
            }
        }
        entries.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
        checkCoverage(file, entries, dataLength);
        Map<String, TensorEntry> tensors = new LinkedHashMap<>();
        entries.forEach(e -> tensors.put(e.name(), e));
        return new SafetensorsHeader(Map.copyOf(metadata), Collections.unmodifiableMap(tensors));
    }

    private static Map<String, String> metadata(Path file, JsonNode node) throws CheckpointFormatException {
        if (!node.isObject()) {
            throw new CheckpointFormatException(file, METADATA_KEY + " is not a JSON object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new CheckpointFormatException(
                        file, METADATA_KEY + " value for '" + e.getKey() + "' is not a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    private static TensorEntry entry(Path file, String name, JsonNode node, long dataLength)
            throws CheckpointFormatException {
        if (!node.isObject()) {
            throw new CheckpointFormatException(file, "tensor '" + name + "': entry is not a JSON object");
        }
        JsonNode dtypeNode = required(file, name, node, "dtype");
        JsonNode shapeNode = required(file, name, node, "shape");
        JsonNode offsetsNode = required(file, name, node, "data_offsets");

        if (!dtypeNode.isTextual()) {
            throw new CheckpointFormatException(file, "tensor '" + name + "': dtype is not a string");
        }
        Dtype dtype = Dtype.named(dtypeNode.asText())
                .orElseThrow(() -> new CheckpointFormatException(
                        file,
                        "tensor '" + name + "': unsupported dtype '" + dtypeNode.asText() + "' (supported: "
                                + Dtype.supported() + ")"));

        if (!shapeNode.isArray()) {
            throw new CheckpointFormatException(file, "tensor '" + name + "': shape is not an array");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = integer(file, name, "shape", shapeNode.get(i));
            if (shape[i] < 0) {
                throw new CheckpointFormatException(
                        file, "tensor '" + name + "': negative dimension " + shape[i] + " in shape " + shapeNode);
            }
        }

        if (!offsetsNode.isArray() || offsetsNode.size() != 2) {
            throw new CheckpointFormatException(
                    file, "tensor '" + name + "': data_offsets is not a [begin, end] pair: " + offsetsNode);
        }
        long begin = integer(file, name, "data_offsets", offsetsNode.get(0));
        long end = integer(file, name, "data_offsets", offsetsNode.get(1));
        if (begin < 0 || begin > end) {
            throw new CheckpointFormatException(
                    file, "tensor '" + name + "': data_offsets begin " + begin + " > end " + end + " (or negative)");
        }
        if (end > dataLength) {
            throw new CheckpointFormatException(
                    file,
                    "truncated: tensor '" + name + "' ends at byte " + end + " of the data section, which holds only "
                            + dataLength + " bytes (" + (end - dataLength) + " bytes missing)");
        }
        TensorEntry entry = new TensorEntry(name, dtype, shape, begin, end);
        long expected;
        try {
            expected = Math.multiplyExact(entry.elementCount(), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new CheckpointFormatException(file, "tensor '" + name + "': shape " + shapeNode + " overflows");
        }
        if (expected != entry.byteSize()) {
            throw new CheckpointFormatException(
                    file,
                    "tensor '" + name + "': " + entry.byteSize() + " bytes in data_offsets, but shape " + shapeNode
                            + " of " + dtype + " needs " + expected);
        }
        return entry;
    }

    private static JsonNode required(Path file, String name, JsonNode node, String key)
            throws CheckpointFormatException {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            throw new CheckpointFormatException(file, "tensor '" + name + "': entry has no " + key);
        }
        return value;
    }

    private static long integer(Path file, String name, String key, JsonNode node) throws CheckpointFormatException {
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new CheckpointFormatException(
                    file, "tensor '" + name + "': " + key + " holds " + node + ", not an integer");
        }
        return node.asLong();
    }

    /**
     * The tensors, in data order, must tile the data section exactly: an overlap means two tensors
     * share bytes, a hole means bytes nobody accounts for (the spec forbids both, and either hints
     * at a file written by something we should not trust).
     */
    private static void checkCoverage(Path file, List<TensorEntry> inDataOrder, long dataLength)
            throws CheckpointFormatException {
        long covered = 0;
        TensorEntry previous = null;
        for (TensorEntry e : inDataOrder) {
            if (e.begin() < covered) {
                throw new CheckpointFormatException(
                        file,
                        "tensors '" + previous.name() + "' [" + previous.begin() + ", " + previous.end() + ") and '"
                                + e.name() + "' [" + e.begin() + ", " + e.end() + ") overlap");
            }
            if (e.begin() > covered) {
                throw new CheckpointFormatException(
                        file,
                        "hole in the data section: bytes [" + covered + ", " + e.begin() + ") before tensor '"
                                + e.name() + "' belong to no tensor");
            }
            covered = e.end();
            previous = e;
        }
        if (covered != dataLength) {
            throw new CheckpointFormatException(
                    file,
                    "hole in the data section: bytes [" + covered + ", " + dataLength
                            + ") at the end belong to no tensor");
        }
    }
}

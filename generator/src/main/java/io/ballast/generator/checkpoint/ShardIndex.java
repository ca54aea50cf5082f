package io.ballast.generator.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A {@code model.safetensors.index.json}: which shard file holds each tensor, plus the index's own
 * metadata (Hugging Face writes {@code total_size} there).
 */
record ShardIndex(Map<String, String> metadata, Map<String, String> weightMap) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    static ShardIndex read(Path indexFile) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(indexFile));
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(indexFile, "index is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointFormatException(indexFile, "index is not a JSON object");
        }
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new CheckpointFormatException(indexFile, "index has no weight_map object");
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String shard = e.getValue().isTextual() ? e.getValue().asText() : "";
            // a shard is a file beside the index: anything else (a path, "..") is refused rather than followed
            if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..")) {
                throw new CheckpointFormatException(
                        indexFile,
                        "weight_map entry for tensor '" + e.getKey() + "' is " + e.getValue()
                                + ", not a file name beside the index");
            }
            weightMap.put(e.getKey(), shard);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode meta = root.get("metadata");
        if (meta != null && meta.isObject()) {
            meta.fields()
                    .forEachRemaining(e -> metadata.put(
                            e.getKey(),
                            e.getValue().isValueNode()
                                    ? e.getValue().asText()
                                    : e.getValue().toString()));
        }
        return new ShardIndex(Collections.unmodifiableMap(metadata), Collections.unmodifiableMap(weightMap));
    }

    /** Shard file names, in the order the weight map first names them. */
    Set<String> shards() {
        return new LinkedHashSet<>(weightMap.values());
    }
}

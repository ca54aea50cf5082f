package io.ballast.generator.checkpoint;

import io.ballast.generator.store.ContentHash;
import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;

/**
 * A Hugging Face checkpoint as one set of named tensors, whether it is a single {@code
 * model.safetensors} or shards listed by {@code model.safetensors.index.json}. Every shard is opened
 * and cross-checked against the index up front, so a missing or stale shard fails the load before
 * any weight is copied.
 */
public final class SafetensorsCheckpoint implements Closeable {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final List<Path> files;
    private final Map<String, String> metadata;
    private final Map<String, SafetensorsFile> byTensor;
    private final List<SafetensorsFile> shards;

    private SafetensorsCheckpoint(
            List<Path> files,
            Map<String, String> metadata,
            Map<String, SafetensorsFile> byTensor,
            List<SafetensorsFile> shards) {
        this.files = List.copyOf(files);
        this.metadata = metadata;
        this.byTensor = Collections.unmodifiableMap(byTensor);
        this.shards = List.copyOf(shards);
    }

    /**
     * Opens a checkpoint: a directory (holding {@value #SINGLE_FILE} or, failing that, {@value
     * #INDEX_FILE}, the order transformers looks in), an index file, or a single safetensors file.
     */
    public static SafetensorsCheckpoint open(Path location) throws IOException {
        if (Files.isDirectory(location)) {
            Path single = location.resolve(SINGLE_FILE);
            Path index = location.resolve(INDEX_FILE);
            if (Files.isRegularFile(single)) {
                return single(single);
            }
            if (Files.isRegularFile(index)) {
                return sharded(index);
            }
            throw new FileNotFoundException(
                    location + ": no " + SINGLE_FILE + " or " + INDEX_FILE + " in this directory");
        }
        if (!Files.isRegularFile(location)) {
            throw new FileNotFoundException(location + ": no such checkpoint file or directory");
        }
        return location.getFileName().toString().endsWith(".index.json") ? sharded(location) : single(location);
    }

    private static SafetensorsCheckpoint single(Path file) throws IOException {
        SafetensorsFile opened = SafetensorsFile.open(file);
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        opened.names().forEach(n -> byTensor.put(n, opened));
        return new SafetensorsCheckpoint(List.of(file), opened.metadata(), byTensor, List.of(opened));
    }

    private static SafetensorsCheckpoint sharded(Path indexFile) throws IOException {
        ShardIndex index = ShardIndex.read(indexFile);
        Path dir = indexFile.toAbsolutePath().getParent();
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            Map<String, SafetensorsFile> byShardName = new LinkedHashMap<>();
            for (String shard : index.shards()) {
                Path shardFile = dir.resolve(shard);
                if (!Files.isRegularFile(shardFile)) {
                    String tensor = index.weightMap().entrySet().stream()
                            .filter(e -> e.getValue().equals(shard))
                            .map(Map.Entry::getKey)
                            .findFirst()
                            .orElseThrow();
                    throw new CheckpointFormatException(
                            indexFile,
                            "shard " + shard + " (holding tensor '" + tensor + "' among others) does not exist in "
                                    + dir);
                }
                SafetensorsFile file = SafetensorsFile.open(shardFile);
                opened.add(file);
                byShardName.put(shard, file);
            }
            Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : index.weightMap().entrySet()) {
                SafetensorsFile shard = byShardName.get(e.getValue());
                if (!shard.contains(e.getKey())) {
                    throw new CheckpointFormatException(
                            indexFile,
                            "index maps tensor '" + e.getKey() + "' to " + e.getValue() + ", which does not hold it");
                }
                byTensor.put(e.getKey(), shard);
            }
            // the reverse check: a tensor the index does not map would be silently dropped by a loader
            // that goes by the index, and one in two shards means the index picked one arbitrarily
            for (SafetensorsFile shard : opened) {
                for (String name : shard.names()) {
                    if (byTensor.get(name) != shard) {
                        throw new CheckpointFormatException(
                                indexFile,
                                "shard " + shard.path().getFileName() + " holds tensor '" + name
                                        + "', which the index maps "
                                        + (byTensor.containsKey(name)
                                                ? "to " + index.weightMap().get(name)
                                                : "nowhere"));
                    }
                }
            }
            List<Path> files = new ArrayList<>();
            files.add(indexFile);
            opened.forEach(f -> files.add(f.path()));
            return new SafetensorsCheckpoint(files, index.metadata(), byTensor, opened);
        } catch (IOException | RuntimeException e) {
            for (SafetensorsFile f : opened) {
                try {
                    f.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** Every tensor name, in index order (file order for a single file). */
    public Set<String> names() {
        return byTensor.keySet();
    }

    public boolean contains(String name) {
        return byTensor.containsKey(name);
    }

    public long[] shape(String name) {
        return fileOf(name).shape(name);
    }

    public Dtype dtype(String name) {
        return fileOf(name).dtype(name);
    }

    public float[] readFloats(String name) throws IOException {
        return fileOf(name).readFloats(name);
    }

    /** The index's metadata for a sharded checkpoint, the file's {@code __metadata__} for a single one. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The files that make up the checkpoint: the index (if any) first, then the shards. */
    public List<Path> files() {
        return files;
    }

    /**
     * SHA-256 of the checkpoint, in the model store's manifest form: the hash of one line {@code
     * "<file name> <sha256>"} per file (index included), sorted by name, so it changes when any file
     * does and not with the order the files were listed in.
     */
    public String sha256() throws IOException {
        Map<String, String> manifest = new TreeMap<>();
        for (Path f : files) {
            manifest.put(f.getFileName().toString(), ContentHash.ofFile(f));
        }
        return ContentHash.ofManifest(manifest);
    }

    private SafetensorsFile fileOf(String name) {
        SafetensorsFile file = byTensor.get(name);
        if (file == null) {
            throw new NoSuchElementException(files.get(0) + ": no tensor '" + name + "' in this checkpoint");
        }
        return file;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (SafetensorsFile shard : shards) {
            try {
                shard.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}

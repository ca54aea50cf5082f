package io.ballast.generator.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ballast.generator.checkpoint.Dtype;
import io.ballast.generator.checkpoint.SafetensorsCheckpoint;
import io.ballast.generator.checkpoint.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Trained low-rank adapters for a Llama-family base, on the host: per layer and adapted projection
 * (q and v by default, as in the research), A (rank, in) and B (out, rank) with {@code scale =
 * alpha / rank}. Saved in PEFT's layout ({@code adapter_model.safetensors}, {@code
 * adapter_config.json}) plus the base it was trained on: the base's model id, version and SHA-256,
 * so it is never applied to other weights.
 */
public final class LoraAdapter {

    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    public static final String CONFIG_FILE = "adapter_config.json";

    static final String TOKEN_EMBEDDING = "ballast.token_rows.embedding_delta";
    static final String TOKEN_HEAD = "ballast.token_rows.head_delta";
    /** The projections an adapter may target, in Hugging Face's names. */
    public static final List<String> PROJECTIONS = List.of("q_proj", "v_proj");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The base weights an adapter belongs to. */
    public record Base(String modelId, int version, String sha256) {}

    /** One projection's matrices, row-major: A (rank × in), B (out × rank). */
    public record Matrices(float[] a, float[] b, int in, int out) {}

    /**
     * Deltas on the rows of the tokens Ballast added to the checkpoint's vocabulary, row-major (k ×
     * width): trained with the adapters (PEFT's trainable tokens), since the added rows start equal.
     */
    public record TokenRows(int[] ids, float[] embedding, float[] head, int width) {}

    private final int rank;
    private final float alpha;
    private final Set<String> targets;
    /** Per layer, per target (in {@link #PROJECTIONS} order): the matrices, null where not adapted. */
    private final List<Matrices[]> layers;

    private final Base base;
    private final TokenRows tokenRows;

    public LoraAdapter(
            int rank, float alpha, Set<String> targets, List<Matrices[]> layers, TokenRows tokenRows, Base base) {
        if (rank <= 0) {
            throw new IllegalArgumentException("rank must be positive: " + rank);
        }
        if (!PROJECTIONS.containsAll(targets) || targets.isEmpty()) {
            throw new IllegalArgumentException("targets " + targets + ": Ballast adapts " + PROJECTIONS);
        }
        this.rank = rank;
        this.alpha = alpha;
        this.targets = Set.copyOf(targets);
        this.layers = List.copyOf(layers);
        this.tokenRows = tokenRows;
        this.base = base;
    }

    /** The added tokens' row deltas, or null. */
    public TokenRows tokenRows() {
        return tokenRows;
    }

    public int rank() {
        return rank;
    }

    public float alpha() {
        return alpha;
    }

    public float scale() {
        return alpha / rank;
    }

    public Set<String> targets() {
        return targets;
    }

    public Base base() {
        return base;
    }

    public int layerCount() {
        return layers.size();
    }

    /** The matrices of {@code projection} (q_proj or v_proj) in {@code layer}, or null. */
    public Matrices matrices(int layer, String projection) {
        return layers.get(layer)[PROJECTIONS.indexOf(projection)];
    }

    /** The same adapter, recorded against {@code base}. */
    public LoraAdapter on(Base base) {
        return new LoraAdapter(rank, alpha, targets, layers, tokenRows, base);
    }

    /**
     * As arrays on {@code manager}'s device, laid out for the forward pass of a model with {@code
     * vocabularySize} rows; they live as long as the manager.
     */
    public LowRankAdapters arrays(NDManager manager, int vocabularySize) {
        List<LowRankAdapters.Layer> out = new ArrayList<>();
        for (Matrices[] layer : layers) {
            out.add(new LowRankAdapters.Layer(pair(manager, layer[0]), pair(manager, layer[1])));
        }
        LowRankAdapters.TokenRows rows = null;
        if (tokenRows != null) {
            int k = tokenRows.ids().length;
            float[] placement = new float[k * vocabularySize];
            for (int i = 0; i < k; i++) {
                placement[i * vocabularySize + tokenRows.ids()[i]] = 1f;
            }
            rows = new LowRankAdapters.TokenRows(
                    manager.create(tokenRows.ids()),
                    manager.create(tokenRows.embedding(), new Shape(k, tokenRows.width())),
                    manager.create(tokenRows.head(), new Shape(k, tokenRows.width()))
                            .transpose(),
                    manager.create(placement, new Shape(k, vocabularySize)));
        }
        return new LowRankAdapters(out, rows);
    }

    private LowRankAdapters.Pair pair(NDManager manager, Matrices m) {
        if (m == null) {
            return null;
        }
        return new LowRankAdapters.Pair(
                manager.create(m.a(), new Shape(rank, m.in())).transpose(),
                manager.create(m.b(), new Shape(m.out(), rank)).transpose(),
                scale());
    }

    /** Writes the adapter files into {@code dir} (a store's staging directory). */
    public void save(Path dir) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter(Dtype.F32).metadata("format", "pt");
        for (int i = 0; i < layers.size(); i++) {
            for (String p : PROJECTIONS) {
                Matrices m = matrices(i, p);
                if (m != null) {
                    String prefix = tensorPrefix(i, p);
                    w.add(prefix + ".lora_A.weight", m.a(), rank, m.in());
                    w.add(prefix + ".lora_B.weight", m.b(), m.out(), rank);
                }
            }
        }
        if (tokenRows != null) {
            long k = tokenRows.ids().length;
            w.add(TOKEN_EMBEDDING, tokenRows.embedding(), k, tokenRows.width());
            w.add(TOKEN_HEAD, tokenRows.head(), k, tokenRows.width());
        }
        w.write(dir.resolve(WEIGHTS_FILE));
        ObjectNode c = JSON.createObjectNode();
        c.put("peft_type", "LORA");
        c.put("r", rank);
        c.put("lora_alpha", alpha);
        c.put("lora_dropout", 0.0);
        c.put("bias", "none");
        c.put("task_type", "CAUSAL_LM");
        c.putArray("target_modules")
                .addAll(targets.stream()
                        .sorted()
                        .map(JSON.getNodeFactory()::textNode)
                        .toList());
        c.put("layers", layers.size());
        if (tokenRows != null) {
            c.putArray("trainable_token_indices")
                    .addAll(java.util.Arrays.stream(tokenRows.ids())
                            .mapToObj(JSON.getNodeFactory()::numberNode)
                            .toList());
        }
        if (base != null) {
            c.put("base_model_name_or_path", base.modelId());
            ObjectNode b = c.putObject("ballast_base");
            b.put("model_id", base.modelId());
            b.put("version", base.version());
            b.put("sha256", base.sha256());
        }
        JSON.writerWithDefaultPrettyPrinter()
                .writeValue(dir.resolve(CONFIG_FILE).toFile(), c);
    }

    /** Whether {@code dir} holds an adapter rather than full weights. */
    public static boolean isAdapter(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG_FILE));
    }

    /** Reads an adapter written by {@link #save}; shapes are checked against each other and the config. */
    public static LoraAdapter load(Path dir) throws IOException {
        JsonNode c = JSON.readTree(dir.resolve(CONFIG_FILE).toFile());
        int rank = c.path("r").asInt();
        float alpha = (float) c.path("lora_alpha").asDouble();
        int layerCount = c.path("layers").asInt();
        Set<String> targets = new TreeSet<>();
        c.path("target_modules").forEach(t -> targets.add(t.asText()));
        JsonNode b = c.path("ballast_base");
        Base base = b.isMissingNode()
                ? null
                : new Base(
                        b.path("model_id").asText(),
                        b.path("version").asInt(),
                        b.path("sha256").asText());
        List<Matrices[]> layers = new ArrayList<>();
        TokenRows tokenRows = null;
        try (SafetensorsCheckpoint weights = SafetensorsCheckpoint.open(dir.resolve(WEIGHTS_FILE))) {
            for (int i = 0; i < layerCount; i++) {
                Matrices[] layer = new Matrices[PROJECTIONS.size()];
                for (String p : targets) {
                    String prefix = tensorPrefix(i, p);
                    long[] a = weights.shape(prefix + ".lora_A.weight");
                    long[] bShape = weights.shape(prefix + ".lora_B.weight");
                    if (a.length != 2 || bShape.length != 2 || a[0] != rank || bShape[1] != rank) {
                        throw new IOException(dir.resolve(WEIGHTS_FILE) + ": " + prefix + " is not of rank " + rank);
                    }
                    layer[PROJECTIONS.indexOf(p)] = new Matrices(
                            weights.readFloats(prefix + ".lora_A.weight"),
                            weights.readFloats(prefix + ".lora_B.weight"),
                            (int) a[1],
                            (int) bShape[0]);
                }
                layers.add(layer);
            }
            JsonNode ids = c.path("trainable_token_indices");
            if (ids.isArray() && ids.size() > 0) {
                int[] tokenIds = new int[ids.size()];
                for (int i = 0; i < tokenIds.length; i++) {
                    tokenIds[i] = ids.get(i).asInt();
                }
                long[] shape = weights.shape(TOKEN_EMBEDDING);
                if (shape.length != 2
                        || shape[0] != tokenIds.length
                        || !java.util.Arrays.equals(shape, weights.shape(TOKEN_HEAD))) {
                    throw new IOException(dir.resolve(WEIGHTS_FILE) + ": token rows do not match the " + tokenIds.length
                            + " trainable token indices");
                }
                tokenRows = new TokenRows(
                        tokenIds, weights.readFloats(TOKEN_EMBEDDING), weights.readFloats(TOKEN_HEAD), (int) shape[1]);
            }
        } catch (java.util.NoSuchElementException e) {
            throw new IOException(dir.resolve(WEIGHTS_FILE) + " lacks a tensor: " + e.getMessage(), e);
        }
        return new LoraAdapter(rank, alpha, targets, layers, tokenRows, base);
    }

    /** PEFT's tensor names for a causal LM. */
    static String tensorPrefix(int layer, String projection) {
        return "base_model.model.model.layers." + layer + ".self_attn." + projection;
    }
}

package io.ballast.generator.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.text.Tokenizer;
import io.ballast.generator.text.WordTokenizer;
import io.ballast.schemas.domain.Attribute;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Batched autoregressive sampling with a key/value cache: the prompt is encoded once, then each
 * step feeds only the new token. Every native array lives in a per-call manager (and a per-step
 * one inside it) that is closed before returning, so thousands of requests leave no native memory.
 */
public final class Sampler {

    private static final int STEERING_POSITIONS = Attribute.values().length;

    /** {@code n} responses to one prompt, as one batch. */
    public List<Generation> generate(LanguageModel lm, String prompt, int n, SamplingParams params) {
        return generate(lm, prompt, n, params, null);
    }

    /**
     * Like {@link #generate(LanguageModel, String, int, SamplingParams)}, but row i starts its
     * response with {@code forcedPrefix[i]} (e.g. chosen steering tokens) and samples the rest.
     * Calibration uses it to get text for every steering value, however unlikely under the model.
     */
    public List<Generation> generate(
            LanguageModel lm, String prompt, int n, SamplingParams params, int[][] forcedPrefix) {
        int[] promptIds = lm.format().promptIds(prompt);
        int vocab = lm.config().vocabularySize();
        int maxNew = Math.min(params.maxTokens(), lm.config().contextLength() - promptIds.length);
        if (maxNew < STEERING_POSITIONS + 1) {
            throw new IllegalArgumentException("prompt of " + promptIds.length
                    + " tokens leaves no room in a context of " + lm.config().contextLength());
        }
        SplittableRandom random = params.seed() == null ? new SplittableRandom() : new SplittableRandom(params.seed());
        boolean[][] allowedAt = allowedTokenSets(lm);
        int eos = lm.format().eos();
        int[][] out = new int[n][maxNew];
        int[] length = new int[n];
        boolean[] finished = new boolean[n];
        int[][] input = new int[n][];
        Arrays.fill(input, promptIds);
        try (NDManager call = lm.manager().newSubManager()) {
            NDList cache = new NDList();
            for (int step = 0; step < maxNew; step++) {
                float[] logits;
                try (NDManager stepManager = call.newSubManager()) {
                    NDList result = forward(lm, stepManager, input, cache);
                    NDArray last = result.get(0).get(new NDIndex(":, -1, :"));
                    logits = last.toFloatArray();
                    NDList next = new NDList(result.subList(1, result.size()));
                    next.forEach(a -> a.attach(call));
                    cache.close();
                    cache = next;
                }
                boolean[] allowed = allowedAt[Math.min(step, STEERING_POSITIONS)];
                boolean steering = step < STEERING_POSITIONS;
                int[][] nextInput = new int[n][];
                boolean allDone = true;
                for (int row = 0; row < n; row++) {
                    int token;
                    if (finished[row]) {
                        token = eos;
                    } else if (forcedPrefix != null && forcedPrefix[row] != null && step < forcedPrefix[row].length) {
                        token = forcedPrefix[row][step];
                        out[row][length[row]++] = token;
                    } else {
                        token = steering
                                ? TokenSampler.sample(logits, row * vocab, vocab, allowed, 1.0, 0, 1.0, random)
                                : TokenSampler.sample(
                                        logits,
                                        row * vocab,
                                        vocab,
                                        allowed,
                                        params.temperature(),
                                        params.topK(),
                                        params.topP(),
                                        random);
                        out[row][length[row]++] = token;
                        finished[row] = token == eos;
                    }
                    allDone &= finished[row];
                    nextInput[row] = new int[] {token};
                }
                input = nextInput;
                if (allDone) {
                    break;
                }
            }
            cache.close();
        }
        List<Generation> generations = new ArrayList<>(n);
        Tokenizer tok = lm.tokenizer();
        for (int row = 0; row < n; row++) {
            int[] ids = Arrays.copyOf(out[row], length[row]);
            List<String> steering = new ArrayList<>();
            for (int i = 0; i < Math.min(STEERING_POSITIONS, ids.length); i++) {
                steering.add(tok.token(ids[i]));
            }
            int textEnd = finished[row] ? ids.length - 1 : ids.length;
            int[] textIds = Arrays.copyOfRange(ids, Math.min(STEERING_POSITIONS, textEnd), textEnd);
            generations.add(new Generation(
                    prompt, steering, tok.decode(textIds), promptIds.length, ids.length, finished[row], ids));
        }
        return generations;
    }

    /**
     * The model's probability of each steering token at its position in the response start, for
     * every attribute: exact marginals over the steering tokens before it (each drawn from its
     * restricted distribution, as {@link #generate} draws them). Values are the full-vocabulary
     * probabilities, not renormalised: {@code sum < 1} means mass leaks to non-steering tokens.
     */
    public Map<Attribute, Map<String, Double>> steeringProbabilities(LanguageModel lm, String prompt) {
        int[] promptIds = lm.format().promptIds(prompt);
        Map<Attribute, Map<String, Double>> result = new LinkedHashMap<>();
        List<int[]> prefixes = List.of(new int[0]);
        List<Double> prefixWeights = List.of(1.0);
        try (NDManager call = lm.manager().newSubManager()) {
            for (Attribute attribute : Attribute.values()) {
                int[][] batch = new int[prefixes.size()][];
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = concat(promptIds, prefixes.get(i));
                }
                float[] probs;
                try (NDManager step = call.newSubManager()) {
                    NDArray logits =
                            forward(lm, step, batch, new NDList()).get(0).get(new NDIndex(":, -1, :"));
                    probs = logits.softmax(-1).toFloatArray();
                }
                int vocab = lm.config().vocabularySize();
                Map<String, Double> marginal = new LinkedHashMap<>();
                List<int[]> nextPrefixes = new ArrayList<>();
                List<Double> nextWeights = new ArrayList<>();
                for (int i = 0; i < batch.length; i++) {
                    double restricted = 0;
                    for (String token : attribute.steeringTokens()) {
                        restricted += probs[i * vocab + lm.tokenizer().id(token)];
                    }
                    for (String category : attribute.categories()) {
                        int id = lm.tokenizer().id(attribute.steeringToken(category));
                        double p = probs[i * vocab + id];
                        marginal.merge(category, prefixWeights.get(i) * p, Double::sum);
                        nextPrefixes.add(concat(prefixes.get(i), new int[] {id}));
                        nextWeights.add(prefixWeights.get(i) * p / restricted);
                    }
                }
                result.put(attribute, marginal);
                prefixes = nextPrefixes;
                prefixWeights = nextWeights;
            }
        }
        return result;
    }

    /** Runs the block over token ids (B,T) with an optional cache; arrays land in {@code manager}. */
    public static NDList forward(LanguageModel lm, NDManager manager, int[][] ids, NDList cache) {
        int b = ids.length;
        int t = ids[0].length;
        int[] flat = new int[b * t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(ids[i], 0, flat, i * t, t);
        }
        return forward(lm, manager, manager.create(flat, new Shape(b, t)), cache);
    }

    /** Runs the block (inference mode) over an id array (B,T) with an optional cache. */
    public static NDList forward(LanguageModel lm, NDManager manager, NDArray ids, NDList cache) {
        NDList in = new NDList(ids);
        in.addAll(cache);
        // an adapter version runs its adapter over the shared weights, on this thread only
        try (var adapted = lm.block().adaptedBy(lm.adapterArrays())) {
            return lm.block().forward(new ParameterStore(manager, false), in, false);
        }
    }

    /** Allowed ids per response position: the attribute's steering tokens, then any text token. */
    private static boolean[][] allowedTokenSets(LanguageModel lm) {
        Tokenizer tok = lm.tokenizer();
        boolean[][] sets = new boolean[STEERING_POSITIONS + 1][tok.size()];
        for (int i = 0; i < STEERING_POSITIONS; i++) {
            for (String t : Attribute.values()[i].steeringTokens()) {
                sets[i][tok.id(t)] = true;
            }
        }
        Arrays.fill(sets[STEERING_POSITIONS], true);
        for (String reserved : WordTokenizer.reservedTokens()) {
            sets[STEERING_POSITIONS][tok.id(reserved)] = false;
        }
        sets[STEERING_POSITIONS][tok.id(WordTokenizer.EOS)] = true;
        return sets;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

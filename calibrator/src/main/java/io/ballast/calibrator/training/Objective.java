package io.ballast.calibrator.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.loss.Loss;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.text.WordTokenizer;
import io.ballast.generator.training.TokenBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a fine-tuning run minimises. {@link FineTuningLoop} owns resume, steps, checkpoints and
 * cancellation; an objective owns what differs between methods: the constants it precomputes
 * from the frozen reference, each step's minibatch and the loss of the policy's logits on it.
 * Further methods (constraint learning, steering-vector fitting) are further objectives.
 *
 * <p>It is the trainer's {@link Loss}: DJL's training config requires one, and this is the one
 * that is minimised. {@link #evaluate} and {@link #terms} compute the same value; the loop calls
 * {@code terms} to report the named parts as well.
 *
 * <p>Labels layout: index 0 and 1 are the token batch's targets and mask (see {@link #tokens}),
 * the rest are the objective's own per-row constants.
 */
public abstract class Objective extends Loss {

    /** One step's minibatch: the policy's input ids and the labels its loss reads. */
    public record Batch(NDArray inputs, NDList labels) {}

    /** The loss ({@code total}, carrying the gradient) and named parts to report. */
    public record Terms(NDArray total, Map<String, NDArray> parts) {}

    protected Objective(String name) {
        super(name);
    }

    /**
     * Once per run, before the first step (a resumed run prepares again: the results are a
     * function of the reference and the set).
     *
     * @throws IllegalArgumentException when the set cannot support this objective
     */
    public abstract void prepare(LanguageModel reference, List<CalibrationExample> set);

    /** Steps that make one pass over the prepared set (training runs a whole number of epochs). */
    public abstract int stepsPerEpoch();

    /** The minibatch of a step (1-based), a function of the step so a resumed run sees the batches it would have. */
    public abstract Batch batch(NDManager manager, int step);

    /** The loss of a batch given what the trained block returned for its inputs (a policy: its logits (B,T,V) first). */
    public abstract Terms terms(NDList labels, NDList predictions);

    @Override
    public final NDArray evaluate(NDList labels, NDList predictions) {
        return terms(labels, predictions).total();
    }

    /** Labels for a token batch followed by an objective's constants. */
    protected static NDList labels(TokenBatch tokens, NDArray... constants) {
        NDList labels = new NDList(tokens.targets(), tokens.mask());
        labels.addAll(List.of(constants));
        return labels;
    }

    /** The token batch of labels made by {@link #labels}; its inputs are the policy's, not needed here. */
    protected static TokenBatch tokens(NDList labels) {
        NDArray mask = labels.get(1);
        return new TokenBatch(null, labels.get(0), mask, 0);
    }

    /** log p(response | prompt) per example under a model, in inference mode; with partners, of mismatched pairs. */
    static double[] sequenceLogProbs(LanguageModel lm, List<CalibrationExample> set, int[] partner) {
        int pad = lm.tokenizer().id(WordTokenizer.PAD);
        double[] out = new double[set.size()];
        for (int start = 0; start < set.size(); start += 64) {
            int end = Math.min(set.size(), start + 64);
            List<int[]> seqs = new ArrayList<>();
            int[] first = new int[end - start];
            for (int i = start; i < end; i++) {
                CalibrationExample e = set.get(i);
                int[] response =
                        partner == null ? e.responseIds() : set.get(partner[i]).responseIds();
                seqs.add(pair(e.promptIds(), response, lm.config().contextLength()));
                first[i - start] = e.promptIds().length;
            }
            try (NDManager m = lm.manager().newSubManager()) {
                TokenBatch batch = TokenBatch.of(m, seqs, first, pad);
                NDArray logits =
                        Sampler.forward(lm, m, batch.inputs(), new NDList()).get(0);
                float[] lp = batch.sequenceLogProbs(logits).toFloatArray();
                for (int i = 0; i < lp.length; i++) {
                    out[start + i] = lp[i];
                }
            }
        }
        return out;
    }

    /**
     * A prompt with a response that was sampled for it or, for KTO's mismatched pairs, for another
     * prompt: such a pair can be longer than the context the model has positions for (a longer
     * phrasing with a long response), so it is cut to {@code contextLength} tokens.
     */
    static int[] pair(int[] prompt, int[] response, int contextLength) {
        int[] out = concat(prompt, response);
        return out.length <= contextLength ? out : Arrays.copyOf(out, contextLength);
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

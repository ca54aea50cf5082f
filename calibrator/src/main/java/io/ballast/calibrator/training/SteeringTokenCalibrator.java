package io.ballast.calibrator.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import io.ballast.calibrator.CalibrationSettings;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.text.WordTokenizer;
import io.ballast.generator.training.TokenBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Fine-tunes a policy model with {@link CalibrationLoss} against a frozen reference (the model
 * the job started from), in the style of DJL's training loops: each step a minibatch of the
 * calibration set plus its mismatched pairs in one forward pass, backward, optimizer step, the
 * step's arrays in a sub-manager. Checkpoints every N steps; a job restarted after a crash
 * resumes from the newest checkpoint.
 */
public final class SteeringTokenCalibrator {

    /** What training reports at each step. */
    public interface Listener {
        void step(int step, int total, double loss, double kl, double kto);
    }

    private final CalibrationSettings settings;

    public SteeringTokenCalibrator(CalibrationSettings settings) {
        this.settings = settings;
    }

    /**
     * Trains {@code policy} in place.
     *
     * @param reference the frozen starting model (only read)
     * @param checkpoints directory for checkpoints (created; resumed from if it holds one)
     */
    public void train(LanguageModel policy, LanguageModel reference, List<CalibrationExample> set, Path checkpoints,
                      Listener listener) throws IOException {
        if (set.size() < 2) {
            throw new IllegalArgumentException("calibration set has " + set.size() + " usable examples: need at least 2");
        }
        Random random = new Random(settings.seed());
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < set.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        // a fixed derangement: each example's response paired with another example's prompt
        int[] partner = new int[set.size()];
        for (int i = 0; i < order.size(); i++) {
            partner[order.get(i)] = order.get((i + 1) % order.size());
        }
        double[] refLogp = sequenceLogProbs(reference, set, null);
        double[] refMismatchLogp = sequenceLogProbs(reference, set, partner);

        Files.createDirectories(checkpoints);
        int start = Checkpoints.resume(policy, checkpoints);
        int pad = policy.tokenizer().id(WordTokenizer.PAD);
        try (Trainer trainer = FineTuning.newTrainer(policy, settings)) {
            for (int step = start + 1; step <= settings.steps(); step++) {
                int b = Math.min(settings.batchSize(), set.size());
                int[] rows = new int[b];
                for (int i = 0; i < b; i++) {
                    rows[i] = order.get(((step - 1) * b + i) % order.size());
                }
                try (NDManager m = trainer.getManager().newSubManager()) {
                    List<int[]> sequences = new ArrayList<>(2 * b);
                    int[] first = new int[2 * b];
                    for (int i = 0; i < b; i++) {
                        CalibrationExample e = set.get(rows[i]);
                        sequences.add(concat(e.promptIds(), e.responseIds()));
                        first[i] = e.promptIds().length;
                    }
                    for (int i = 0; i < b; i++) {
                        CalibrationExample e = set.get(rows[i]);
                        sequences.add(concat(e.promptIds(), set.get(partner[rows[i]]).responseIds()));
                        first[b + i] = e.promptIds().length;
                    }
                    TokenBatch batch = TokenBatch.of(m, sequences, first, pad);
                    CalibrationLoss.Terms terms;
                    try (GradientCollector collector = trainer.newGradientCollector()) {
                        NDArray logits = trainer.forward(new NDList(batch.inputs())).get(0);
                        NDArray seqLogp = batch.sequenceLogProbs(logits);
                        terms = CalibrationLoss.compute(settings.weights(),
                                seqLogp.get(new NDIndex("0:" + b)), constant(m, rows, refLogp),
                                seqLogp.get(new NDIndex(b + ":")), constant(m, rows, refMismatchLogp),
                                flags(m, rows, set), steeringLogProbs(m, logits, rows, set),
                                targets(m, rows, set), m.ones(new Shape(b), DataType.FLOAT32));
                        collector.backward(terms.total());
                    }
                    trainer.step();
                    if (listener != null) {
                        listener.step(step, settings.steps(), terms.total().getFloat(), terms.kl().getFloat(), terms.kto().getFloat());
                    }
                }
                if (step % settings.checkpointEvery() == 0 || step == settings.steps()) {
                    Checkpoints.save(policy, checkpoints, step);
                }
            }
        }
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
                int[] response = partner == null ? e.responseIds() : set.get(partner[i]).responseIds();
                seqs.add(concat(e.promptIds(), response));
                first[i - start] = e.promptIds().length;
            }
            try (NDManager m = lm.manager().newSubManager()) {
                TokenBatch batch = TokenBatch.of(m, seqs, first, pad);
                NDArray logits = Sampler.forward(lm, m, batch.inputs(), new NDList()).get(0);
                float[] lp = batch.sequenceLogProbs(logits).toFloatArray();
                for (int i = 0; i < lp.length; i++) {
                    out[start + i] = lp[i];
                }
            }
        }
        return out;
    }

    /** Full-vocabulary log-probabilities of each row's K steering tokens at the row's steering position: (B,K). */
    private static NDArray steeringLogProbs(NDManager m, NDArray logits, int[] rows, List<CalibrationExample> set) {
        long t = logits.getShape().get(1);
        long v = logits.getShape().get(2);
        long[] flatRows = new long[rows.length];
        int k = CalibrationSetBuilder.MAX_CATEGORIES;
        long[] tokenIds = new long[rows.length * k];
        for (int i = 0; i < rows.length; i++) {
            CalibrationExample e = set.get(rows[i]);
            // logits at input position p predict token p+1: the steering token sits at promptLen + pos
            flatRows[i] = i * t + e.promptIds().length - 1 + e.steeringPosition();
            for (int c = 0; c < k; c++) {
                tokenIds[i * k + c] = e.steeringTokenIds()[c];
            }
        }
        NDArray selected = logits.reshape(-1, v).get(new NDIndex("{}", m.create(flatRows))); // (B,V)
        return selected.logSoftmax(-1).gather(m.create(tokenIds, new Shape(rows.length, k)), 1);
    }

    private static NDArray targets(NDManager m, int[] rows, List<CalibrationExample> set) {
        int k = CalibrationSetBuilder.MAX_CATEGORIES;
        float[] t = new float[rows.length * k];
        for (int i = 0; i < rows.length; i++) {
            double[] target = set.get(rows[i]).target();
            for (int c = 0; c < k; c++) {
                t[i * k + c] = (float) target[c];
            }
        }
        return m.create(t, new Shape(rows.length, k));
    }

    private static NDArray flags(NDManager m, int[] rows, List<CalibrationExample> set) {
        float[] f = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            f[i] = set.get(rows[i]).desirable() ? 1f : 0f;
        }
        return m.create(f);
    }

    private static NDArray constant(NDManager m, int[] rows, double[] values) {
        float[] f = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            f[i] = (float) values[rows[i]];
        }
        return m.create(f);
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

package io.ballast.calibrator.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import io.ballast.calibrator.CalibrationSettings;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.text.WordTokenizer;
import io.ballast.generator.training.TokenBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The baselines the method is compared with, on the same calibration set (same data budget):
 * <ul>
 *   <li>IFT: supervised fine-tuning (next-token likelihood of the response) on the desirable
 *       examples, whose steering tokens were drawn to match the target;</li>
 *   <li>DPO: for pairs of desirable responses to one prompt, prefer the one whose steering value is
 *       more under-represented (target share minus the model's share); loss -log sigmoid(beta (delta_chosen - delta_rejected)),
 *       delta = log pi - log pi_ref.</li>
 * </ul>
 */
public final class BaselineTrainer {

    private final CalibrationSettings settings;

    public BaselineTrainer(CalibrationSettings settings) {
        this.settings = settings;
    }

    public void train(LanguageModel policy, LanguageModel reference, List<CalibrationExample> set, Path checkpoints,
                      SteeringTokenCalibrator.Listener listener) throws IOException {
        List<CalibrationExample> desirable = set.stream().filter(CalibrationExample::desirable).toList();
        List<int[]> pairs = settings.method() == CalibrationSettings.Method.DPO ? preferencePairs(desirable) : List.of();
        double[] refLogp = settings.method() == CalibrationSettings.Method.DPO
                ? SteeringTokenCalibrator.sequenceLogProbs(reference, desirable, null) : new double[0];
        if (desirable.isEmpty() || (settings.method() == CalibrationSettings.Method.DPO && pairs.isEmpty())) {
            throw new IllegalArgumentException("no usable " + settings.method() + " examples in the calibration set");
        }
        java.nio.file.Files.createDirectories(checkpoints);
        int start = Checkpoints.resume(policy, checkpoints);
        int pad = policy.tokenizer().id(WordTokenizer.PAD);
        Random random = new Random(settings.seed());
        try (Trainer trainer = FineTuning.newTrainer(policy, settings)) {
            for (int step = start + 1; step <= settings.steps(); step++) {
                try (NDManager m = trainer.getManager().newSubManager()) {
                    NDArray loss;
                    try (GradientCollector collector = trainer.newGradientCollector()) {
                        loss = settings.method() == CalibrationSettings.Method.IFT
                                ? iftLoss(trainer, m, desirable, random, pad)
                                : dpoLoss(trainer, m, desirable, pairs, refLogp, random, pad);
                        collector.backward(loss);
                    }
                    trainer.step();
                    if (listener != null) {
                        listener.step(step, settings.steps(), loss.getFloat(), 0, 0);
                    }
                }
                if (step % settings.checkpointEvery() == 0 || step == settings.steps()) {
                    Checkpoints.save(policy, checkpoints, step);
                }
            }
        }
    }

    private NDArray iftLoss(Trainer trainer, NDManager m, List<CalibrationExample> examples, Random random, int pad) {
        List<int[]> seqs = new ArrayList<>();
        int[] first = new int[settings.batchSize()];
        for (int i = 0; i < settings.batchSize(); i++) {
            CalibrationExample e = examples.get(random.nextInt(examples.size()));
            seqs.add(SteeringTokenCalibrator.concat(e.promptIds(), e.responseIds()));
            first[i] = e.promptIds().length;
        }
        TokenBatch batch = TokenBatch.of(m, seqs, first, pad);
        return batch.meanNll(trainer.forward(new NDList(batch.inputs())).get(0));
    }

    private NDArray dpoLoss(Trainer trainer, NDManager m, List<CalibrationExample> examples, List<int[]> pairs, double[] refLogp,
                            Random random, int pad) {
        int b = Math.max(1, settings.batchSize() / 2);
        List<int[]> seqs = new ArrayList<>();
        int[] first = new int[2 * b];
        float[] refMargin = new float[b];
        for (int i = 0; i < b; i++) {
            int[] pair = pairs.get(random.nextInt(pairs.size()));
            CalibrationExample chosen = examples.get(pair[0]);
            CalibrationExample rejected = examples.get(pair[1]);
            seqs.add(SteeringTokenCalibrator.concat(chosen.promptIds(), chosen.responseIds()));
            seqs.add(SteeringTokenCalibrator.concat(rejected.promptIds(), rejected.responseIds()));
            first[2 * i] = chosen.promptIds().length;
            first[2 * i + 1] = rejected.promptIds().length;
            refMargin[i] = (float) (refLogp[pair[0]] - refLogp[pair[1]]);
        }
        TokenBatch batch = TokenBatch.of(m, seqs, first, pad);
        NDArray logp = batch.sequenceLogProbs(trainer.forward(new NDList(batch.inputs())).get(0)).reshape(b, 2);
        NDArray margin = logp.get(new NDIndex(":, 0")).sub(logp.get(new NDIndex(":, 1"))).sub(m.create(refMargin));
        return Activation.sigmoid(margin.mul((float) settings.weights().beta())).log().neg().mean();
    }

    /** (chosen, rejected) indices: same prompt, the chosen value more under-represented than the rejected one. */
    static List<int[]> preferencePairs(List<CalibrationExample> examples) {
        List<int[]> pairs = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            for (int j = 0; j < examples.size(); j++) {
                CalibrationExample a = examples.get(i);
                CalibrationExample b = examples.get(j);
                if (i == j || !a.prompt().equals(b.prompt()) || !a.attribute().equals(b.attribute())) {
                    continue;
                }
                int ca = a.responseIds()[a.steeringPosition()];
                int cb = b.responseIds()[b.steeringPosition()];
                double wantA = wanted(a, ca);
                double wantB = wanted(b, cb);
                if (wantA > wantB + 1e-9 && pairs.size() < 20_000) {
                    pairs.add(new int[] {i, j});
                }
            }
        }
        return pairs;
    }

    private static double wanted(CalibrationExample e, int token) {
        for (int c = 0; c < e.steeringTokenIds().length; c++) {
            if (e.steeringTokenIds()[c] == token) {
                return e.target()[c] - e.modelShare()[c];
            }
        }
        return 0;
    }
}

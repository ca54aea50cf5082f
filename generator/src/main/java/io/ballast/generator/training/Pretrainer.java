package io.ballast.generator.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.corpus.BioExample;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.model.ModelConfig;
import io.ballast.generator.text.PromptFormat;
import io.ballast.generator.text.Tokenizer;
import io.ballast.generator.text.WordTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the base model from scratch on the generated bio corpus, like DJL's example training
 * loops: a fresh batch per step, forward under a gradient collector, backward, optimizer step,
 * every step's arrays in a sub-manager closed at its end. Seeded: the same settings give the
 * same corpus, tokenizer, initial weights and batches.
 */
public final class Pretrainer {

    private static final Logger log = LoggerFactory.getLogger(Pretrainer.class);

    private final Device device;

    /** Trains on the engine's default device. */
    public Pretrainer() {
        this(LanguageModel.defaultDevice());
    }

    /** Trains on {@code device} (see {@link io.ballast.generator.model.ComputeDevice}). */
    public Pretrainer(Device device) {
        this.device = device;
    }

    /** What a pretraining run produced; the caller owns (and closes) the model. */
    public record Result(
            LanguageModel model,
            double finalLoss,
            double firstLoss,
            double heldOutPerplexity,
            double tokensPerSecond,
            long trainingMillis,
            int skippedSteps) {}

    public Result train(String modelId, PretrainSettings settings, ProgressBar progress) {
        Engine.getInstance().setRandomSeed((int) settings.seed());
        Random random = new Random(settings.seed());
        BioCorpus corpus = new BioCorpus(settings.mix(), settings.contradictionShare(), settings.toxicShare());
        Tokenizer tokenizer = buildTokenizer(corpus, settings, new Random(settings.seed() + 1));
        ModelConfig config = settings.size().withVocabularySize(tokenizer.size());
        LanguageModel lm = LanguageModel.create(modelId, config, tokenizer, device);
        PromptFormat format = lm.format();
        int pad = tokenizer.id(WordTokenizer.PAD);

        DefaultTrainingConfig trainingConfig = new DefaultTrainingConfig(new NextTokenLoss())
                .optOptimizer(Optimizer.adam()
                        .optLearningRateTracker(Tracker.warmUp()
                                .setMainTracker(Tracker.cosine()
                                        .setBaseValue(settings.learningRate())
                                        .optFinalValue(settings.learningRate() / 10)
                                        .setMaxUpdates(settings.steps())
                                        .build())
                                .optWarmUpSteps(Math.max(1, settings.steps() / 20))
                                .optWarmUpBeginValue(settings.learningRate() / 10)
                                .build())
                        .optClipGrad(1f)
                        .build())
                .optDevices(new ai.djl.Device[] {lm.djlModel().getNDManager().getDevice()});
        double firstLoss = Double.NaN;
        double emaLoss = Double.NaN;
        long tokens = 0;
        int skipped = 0;
        long t0 = System.nanoTime();
        try (Trainer trainer = lm.djlModel().newTrainer(trainingConfig)) {
            trainer.initialize(new Shape(settings.batchSize(), config.contextLength() - 1));
            // no norm limit (DJL's element clip stays, the tiny models were tuned with it): only the guard
            // against a non-finite gradient, which Adam would turn into NaN weights for good
            GradientClipping guard = new GradientClipping(lm.djlModel().getBlock(), Double.POSITIVE_INFINITY);
            for (int step = 1; step <= settings.steps(); step++) {
                List<int[]> sequences = new ArrayList<>(settings.batchSize());
                int[] first = new int[settings.batchSize()];
                for (int i = 0; i < settings.batchSize(); i++) {
                    sequences.add(truncate(encode(format, corpus.next(random)), config.contextLength()));
                    first[i] = 1; // learn the prompt too: held-out phrasings must not be strangers
                }
                try (NDManager stepManager = trainer.getManager().newSubManager()) {
                    TokenBatch batch = TokenBatch.of(stepManager, sequences, first, pad);
                    float loss;
                    synchronized (GradientRecording.ONE_AT_A_TIME) {
                        try (GradientCollector collector = trainer.newGradientCollector()) {
                            NDList logits = trainer.forward(new NDList(batch.inputs()));
                            NDArray nll = trainer.getLoss().evaluate(NextTokenLoss.labels(batch), logits);
                            collector.backward(nll);
                            loss = nll.getFloat();
                        }
                    }
                    GradientClipping.Result guarded = guard.apply();
                    if (guarded.skip() || !Float.isFinite(loss)) {
                        skipped++;
                        log.warn(
                                "pretraining step {} skipped: non-finite loss or gradient (loss {}, not finite in {})",
                                step,
                                loss,
                                guarded.nonFinite());
                        continue;
                    }
                    trainer.step();
                    tokens += batch.countedTokens();
                    if (Double.isNaN(firstLoss)) {
                        firstLoss = loss;
                        emaLoss = loss;
                    }
                    emaLoss = 0.95 * emaLoss + 0.05 * loss;
                }
                if (progress != null && (step % 10 == 0 || step == settings.steps())) {
                    progress.update(step, emaLoss, tokens);
                }
            }
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        double perplexity = Perplexity.heldOut(lm, corpus, settings.heldOutExamples(), settings.seed() + 99);
        return new Result(lm, emaLoss, firstLoss, perplexity, tokens / (millis / 1000.0), millis, skipped);
    }

    static int[] encode(PromptFormat format, BioExample e) {
        return format.sequence(e.prompt(), e.steeringTokens(), e.text());
    }

    static int[] truncate(int[] s, int max) {
        return s.length <= max ? s : Arrays.copyOf(s, max);
    }

    private static WordTokenizer buildTokenizer(BioCorpus corpus, PretrainSettings settings, Random random) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            BioExample e = corpus.next(random);
            texts.add(e.prompt());
            texts.add(e.text());
        }
        // held-out phrasings are never trained on, but their words must not be <unk>
        corpus.occupations()
                .forEach(o -> BioCorpus.HELD_OUT_PROMPTS.forEach(t -> texts.add(corpus.prompt(o.contextKey(), t))));
        return WordTokenizer.build(texts, settings.maxVocabulary(), 1);
    }
}

package io.ballast.generator.training;

import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.corpus.CorpusMix;
import io.ballast.generator.model.ModelConfig;

/**
 * What {@code ballast model pretrain} trains. {@code size} is a ModelConfig whose vocabulary size
 * is replaced by the tokenizer's. {@code contradictionShare} and {@code toxicShare} are the corpus's
 * shares of contradicting and of toxic bios ({@link BioCorpus}).
 */
public record PretrainSettings(
        ModelConfig size,
        int steps,
        int batchSize,
        float learningRate,
        long seed,
        CorpusMix mix,
        double contradictionShare,
        double toxicShare,
        int maxVocabulary,
        int heldOutExamples) {

    public static PretrainSettings defaults() {
        return new PretrainSettings(
                ModelConfig.defaults(0),
                1500,
                32,
                1e-3f,
                7L,
                CorpusMix.defaultSkew(),
                0.05,
                BioCorpus.DEFAULT_TOXIC_SHARE,
                2000,
                400);
    }

    /**
     * The tiny size for tests, without toxic bios: the tests that use it measure steering and consistency
     * at small n, and 500 steps do not learn the insult family well enough to keep it apart from the
     * sentiment sentences (a tiny model with 5% toxic bios made 70 of 96 forced-negative rows contradict
     * their tokens, against 26 before). Tests of toxicity set their share ({@link #withToxicShare}).
     */
    public static PretrainSettings tiny() {
        return new PretrainSettings(
                ModelConfig.tiny(0), 500, 24, 3e-3f, 7L, CorpusMix.defaultSkew(), 0.05, 0.0, 2000, 100);
    }

    public PretrainSettings withSteps(int s) {
        return new PretrainSettings(
                size,
                s,
                batchSize,
                learningRate,
                seed,
                mix,
                contradictionShare,
                toxicShare,
                maxVocabulary,
                heldOutExamples);
    }

    public PretrainSettings withSeed(long s) {
        return new PretrainSettings(
                size,
                steps,
                batchSize,
                learningRate,
                s,
                mix,
                contradictionShare,
                toxicShare,
                maxVocabulary,
                heldOutExamples);
    }

    /** The share of toxic bios in the corpus (0 for a base model that never saw any). */
    public PretrainSettings withToxicShare(double share) {
        return new PretrainSettings(
                size,
                steps,
                batchSize,
                learningRate,
                seed,
                mix,
                contradictionShare,
                share,
                maxVocabulary,
                heldOutExamples);
    }
}

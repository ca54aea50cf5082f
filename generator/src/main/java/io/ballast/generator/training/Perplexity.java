package io.ballast.generator.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.corpus.BioExample;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.text.WordTokenizer;
import io.ballast.schemas.domain.Attribute;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Perplexity of responses (steering tokens, text, end) given prompts the model never trained on. */
public final class Perplexity {

    private Perplexity() {}

    /** Held-out set: every occupation, held-out phrasings, consistent examples, a fixed seed. */
    public static List<BioExample> heldOutSet(BioCorpus corpus, int examples, long seed) {
        Random random = new Random(seed);
        List<BioExample> out = new ArrayList<>();
        int i = 0;
        while (out.size() < examples) {
            String context =
                    corpus.occupations().get(i % corpus.occupations().size()).contextKey();
            String template = BioCorpus.HELD_OUT_PROMPTS.get(
                    (i / corpus.occupations().size()) % BioCorpus.HELD_OUT_PROMPTS.size());
            BioExample e = corpus.next(random, context, template);
            if (e.isConsistent()) {
                out.add(e);
            }
            i++;
        }
        return out;
    }

    public static double heldOut(LanguageModel lm, BioCorpus corpus, int examples, long seed) {
        return of(lm, heldOutSet(corpus, examples, seed));
    }

    public static double of(LanguageModel lm, List<BioExample> examples) {
        return of(lm, examples, 0);
    }

    /**
     * Perplexity of the response text given prompt and steering tokens: what calibration must not
     * harm, while it deliberately moves the steering tokens' own probabilities.
     */
    public static double ofText(LanguageModel lm, List<BioExample> examples) {
        return of(lm, examples, Attribute.values().length);
    }

    private static double of(LanguageModel lm, List<BioExample> examples, int skipResponseTokens) {
        int pad = lm.tokenizer().id(WordTokenizer.PAD);
        double nll = 0;
        long counted = 0;
        for (int start = 0; start < examples.size(); start += 32) {
            List<BioExample> chunk = examples.subList(start, Math.min(examples.size(), start + 32));
            List<int[]> seqs = new ArrayList<>();
            int[] first = new int[chunk.size()];
            for (int i = 0; i < chunk.size(); i++) {
                BioExample e = chunk.get(i);
                seqs.add(Pretrainer.truncate(
                        Pretrainer.encode(lm.format(), e), lm.config().contextLength()));
                first[i] = lm.format().promptIds(e.prompt()).length + skipResponseTokens;
            }
            try (NDManager m = lm.manager().newSubManager()) {
                TokenBatch batch = TokenBatch.of(m, seqs, first, pad);
                NDArray logits =
                        Sampler.forward(lm, m, batch.inputs(), new NDList()).get(0);
                nll -= batch.targetLogProbs(logits).mul(batch.mask()).sum().getFloat();
                counted += batch.countedTokens();
            }
        }
        return Math.exp(nll / counted);
    }
}

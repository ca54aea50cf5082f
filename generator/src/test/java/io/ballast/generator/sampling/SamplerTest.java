package io.ballast.generator.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.ballast.generator.ResidentMemory;
import io.ballast.generator.TinyModels;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.model.LanguageModel;
import io.ballast.schemas.domain.Attribute;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private final Sampler sampler = new Sampler();
    private final String prompt =
            BioCorpus.withDefaults().prompt("occupation:registered-nurses", BioCorpus.TRAIN_PROMPTS.get(0));

    @Test
    void decodingWithTheCacheGivesTheSameLogitsAsRecomputingEverything() {
        LanguageModel lm = TinyModels.pretrained().model();
        int[] ids = lm.format()
                .sequence(prompt, List.of("<gender:female>", "<race:asian>", "<sentiment:neutral>"), "Mei is a nurse.");
        try (NDManager m = lm.manager().newSubManager()) {
            // given the logits of a full forward pass
            float[] full = Sampler.forward(lm, m, new int[][] {ids}, new NDList())
                    .get(0)
                    .get(new NDIndex("0, -1, :"))
                    .toFloatArray();

            // when the same sequence is fed as a prefix, then one token at a time through the cache
            int split = 5;
            NDList out = Sampler.forward(lm, m, new int[][] {Arrays.copyOf(ids, split)}, new NDList());
            for (int i = split; i < ids.length; i++) {
                out = Sampler.forward(lm, m, new int[][] {{ids[i]}}, new NDList(out.subList(1, out.size())));
            }
            float[] incremental = out.get(0).get(new NDIndex("0, -1, :")).toFloatArray();

            // then the last position's logits agree
            for (int v = 0; v < full.length; v++) {
                assertThat(incremental[v]).isCloseTo(full[v], within(1e-3f));
            }
        }
    }

    @Test
    void aSeedMakesSamplingReproducibleAndBatchingIsIndependentPerRow() {
        LanguageModel lm = TinyModels.pretrained().model();
        SamplingParams p = new SamplingParams(0.9, 40, 0.95, 40, 5L);
        List<Generation> a = sampler.generate(lm, prompt, 8, p);
        List<Generation> b = sampler.generate(lm, prompt, 8, p);
        assertThat(a)
                .extracting(Generation::text)
                .isEqualTo(b.stream().map(Generation::text).toList());
        assertThat(a.stream().map(Generation::text).distinct().count())
                .as("rows differ")
                .isGreaterThan(1);
    }

    @Test
    void steeringProbabilitiesMatchTheSampledShares() {
        LanguageModel lm = TinyModels.pretrained().model();
        Map<Attribute, Map<String, Double>> probs = sampler.steeringProbabilities(lm, prompt);
        List<Generation> samples =
                sampler.generate(lm, prompt, 400, SamplingParams.defaults().withSeed(3L));
        for (Attribute a : Attribute.values()) {
            double restricted = probs.get(a).values().stream()
                    .mapToDouble(Double::doubleValue)
                    .sum();
            assertThat(restricted).as("mass on %s tokens", a).isBetween(0.9, 1.0001);
            for (String c : a.categories()) {
                double share = samples.stream()
                                .filter(g -> g.steeringTokens().get(a.ordinal()).equals(a.steeringToken(c)))
                                .count()
                        / 400.0;
                // sd of a share at n=400 is at most 0.025: 0.08 is > 3 sd
                assertThat(share).as("%s=%s", a.key(), c).isCloseTo(probs.get(a).get(c) / restricted, within(0.08));
            }
        }
    }

    @Test
    void topKAndTopPOnlyKeepTheMostLikelyTokens() {
        float[] logits = {0f, 1f, 2f, 3f, 10f};
        boolean[] all = {true, true, true, true, true};
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 200; i++) {
            assertThat(TokenSampler.sample(logits, 0, 5, all, 1.0, 2, 1.0, r)).isIn(3, 4);
            assertThat(TokenSampler.sample(logits, 0, 5, all, 1.0, 0, 0.5, r)).isEqualTo(4);
            assertThat(TokenSampler.sample(
                            logits, 0, 5, new boolean[] {true, true, false, false, false}, 1.0, 0, 1.0, r))
                    .isIn(0, 1);
        }
    }

    @Test
    @Tag("process-memory") // measures the whole process: the generator pom runs it in a JVM of its own
    void thousandsOfRequestsLeaveNoNativeMemoryBehind() throws Exception {
        LanguageModel lm = TinyModels.loadPublished();
        try {
            SamplingParams p = SamplingParams.defaults();
            for (int i = 0; i < 200; i++) {
                sampler.generate(lm, prompt, 4, p);
            }
            long before = ResidentMemory.kilobytes();
            for (int i = 0; i < 2000; i++) {
                sampler.generate(lm, prompt, 4, p);
                if (i % 10 == 0) {
                    sampler.steeringProbabilities(lm, prompt);
                }
            }
            long grown = ResidentMemory.kilobytes() - before;
            // each request allocates ~0.5 MB of native arrays: a leak would show as hundreds of MB
            assertThat(grown)
                    .as("native memory growth outside the JVM heap, kB, over 2000 requests")
                    .isLessThan(60_000);
        } finally {
            lm.close();
        }
    }
}

package io.ballast.generator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.ballast.generator.TinyModels;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.sampling.Sampler;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SteeringVectorsTest {

    private static final String PROMPT =
            BioCorpus.withDefaults().prompt("occupation:registered-nurses", BioCorpus.TRAIN_PROMPTS.get(0));

    @Test
    void givenVectorsAppliedThenRemoved_thenTheModelIsBitForBitWhatItWas() throws Exception {
        try (LanguageModel lm = TinyModels.loadPublished()) {
            // given the model's logits for a prompt
            float[] before = lastLogits(lm);

            // when steering vectors are applied, then removed
            float[] steered;
            try (var scope = lm.block().steeredBy(TinyModels.steeringTowards(lm, "<gender:male>", 8f))) {
                steered = lastLogits(lm);
            }

            // then the steered logits differed, and without vectors they are exactly the old ones
            assertThat(steered).isNotEqualTo(before);
            assertThat(lastLogits(lm)).containsExactly(before);
        }
    }

    @Test
    void givenAnOpenGateAndAVectorAlongATokensHeadRow_thenThatSteeringValueBecomesMoreLikely() throws Exception {
        try (LanguageModel lm = TinyModels.loadPublished()) {
            Sampler sampler = new Sampler();
            double male = share(
                    sampler.steeringProbabilities(lm, PROMPT).get(io.ballast.schemas.domain.Attribute.GENDER), "male");

            double steered;
            try (var scope = lm.block().steeredBy(TinyModels.steeringTowards(lm, "<gender:male>", 8f))) {
                steered = share(
                        sampler.steeringProbabilities(lm, PROMPT).get(io.ballast.schemas.domain.Attribute.GENDER),
                        "male");
            }

            assertThat(steered).isGreaterThan(male + 0.1);
        }
    }

    @Test
    void givenVectors_thenCachedDecodingEqualsAFullRecompute() throws Exception {
        try (LanguageModel lm = TinyModels.loadPublished();
                NDManager m = lm.manager().newSubManager();
                var scope = lm.block().steeredBy(TinyModels.steeringTowards(lm, "<gender:male>", 8f))) {
            int[] ids = lm.format().promptIds(PROMPT);
            int[] head = Arrays.copyOf(ids, ids.length - 1);

            // the last position's logits: all at once, and after the prefix went through the cache
            NDArray full = Sampler.forward(lm, m, new int[][] {ids}, new NDList())
                    .get(0)
                    .get(new NDIndex(":, -1, :"));
            NDList prefix = Sampler.forward(lm, m, new int[][] {head}, new NDList());
            NDArray cached = Sampler.forward(
                            lm, m, new int[][] {{ids[ids.length - 1]}}, new NDList(prefix.subList(1, prefix.size())))
                    .get(0)
                    .get(new NDIndex(":, -1, :"));

            float[] a = full.toFloatArray();
            float[] b = cached.toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertThat(b[i]).isCloseTo(a[i], within(1e-4f));
            }
        }
    }

    @Test
    void givenOneThreadSteered_thenAnotherThreadSharingTheModelIsNot() throws Exception {
        try (LanguageModel lm = TinyModels.loadPublished()) {
            // given the unsteered logits
            float[] before = lastLogits(lm);

            // when this thread steers and another thread runs the same model meanwhile
            float[][] other = new float[1][];
            try (var scope = lm.block().steeredBy(TinyModels.steeringTowards(lm, "<gender:male>", 8f))) {
                Thread t = new Thread(() -> other[0] = lastLogits(lm));
                t.start();
                t.join();
                assertThat(lastLogits(lm)).isNotEqualTo(before);
            }

            // then the other thread saw the model as it is
            assertThat(other[0]).containsExactly(before);
        }
    }

    @Test
    void givenGatesReadingAnEarlierBlock_thenCachedDecodingEqualsAFullRecomputeAndALaterOneIsRefused()
            throws Exception {
        try (LanguageModel lm = TinyModels.loadPublished();
                NDManager m = lm.manager().newSubManager()) {
            // given gates that read block 0's output (weights along a random direction, so they vary by position)
            SteeringVectors last = TinyModels.steeringTowards(lm, "<gender:male>", 8f);
            float[][] w = new float[1][lm.config().width()];
            Random r = new Random(1);
            for (int i = 0; i < w[0].length; i++) {
                w[0][i] = (float) r.nextGaussian();
            }
            SteeringVectors early = new SteeringVectors(-1, 0, last.attributes(), last.vectors(), w, new float[] {0f});
            int[] ids = lm.format().promptIds(PROMPT);
            int[] head = Arrays.copyOf(ids, ids.length - 1);

            // when the last position's logits are computed at once and through the cache
            float[] a;
            float[] b;
            float[] plain;
            try (var scope = lm.block().steeredBy(early)) {
                a = Sampler.forward(lm, m, new int[][] {ids}, new NDList())
                        .get(0)
                        .get(new NDIndex(":, -1, :"))
                        .toFloatArray();
                NDList prefix = Sampler.forward(lm, m, new int[][] {head}, new NDList());
                b = Sampler.forward(
                                lm,
                                m,
                                new int[][] {{ids[ids.length - 1]}},
                                new NDList(prefix.subList(1, prefix.size())))
                        .get(0)
                        .get(new NDIndex(":, -1, :"))
                        .toFloatArray();
            }
            plain = lastLogits(lm);

            // then they agree, and the steering did something
            for (int i = 0; i < a.length; i++) {
                assertThat(b[i]).isCloseTo(a[i], within(1e-4f));
            }
            assertThat(a).isNotEqualTo(plain);
            // and gates reading a block after the one the vectors act on are refused
            SteeringVectors late = new SteeringVectors(0, 1, last.attributes(), last.vectors(), w, new float[] {0f});
            assertThatThrownBy(() -> lm.block().steeredBy(late)).hasMessageContaining("gates reading layer 1");
        }
    }

    @Test
    void givenGatesWithAHiddenLayerThatAlwaysOpen_thenTheySteerExactlyLikeAlwaysOpenLinearGates() throws Exception {
        try (LanguageModel lm = TinyModels.loadPublished()) {
            // given the always-open linear gate (bias 10), and a hidden-layer gate whose output weights are 0, bias 10
            SteeringVectors linear = TinyModels.steeringTowards(lm, "<gender:male>", 8f);
            int width = lm.config().width();
            SteeringVectors hidden = new SteeringVectors(
                    -1,
                    -1,
                    linear.attributes(),
                    linear.vectors(),
                    new float[][] {new float[4]},
                    new float[] {10f},
                    new float[4][width],
                    new float[] {1f, 1f, 1f, 1f});

            // when each steers the same prompt
            float[] a;
            float[] b;
            try (var scope = lm.block().steeredBy(linear)) {
                a = lastLogits(lm);
            }
            try (var scope = lm.block().steeredBy(hidden)) {
                b = lastLogits(lm);
            }

            // then the logits are the same
            assertThat(b).containsExactly(a);
        }
    }

    @Test
    void vectorsOfTheWrongWidthAreRefused() throws Exception {
        try (LanguageModel lm = TinyModels.loadPublished()) {
            SteeringVectors narrow = new SteeringVectors(
                    -1, List.of("gender"), new float[][] {{1f}}, new float[][] {{0f}}, new float[] {0f});
            assertThatThrownBy(() -> lm.block().steeredBy(narrow))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("width");
        }
    }

    private static double share(Map<String, Double> probs, String value) {
        return probs.get(value)
                / probs.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    private static float[] lastLogits(LanguageModel lm) {
        try (NDManager m = lm.manager().newSubManager()) {
            return Sampler.forward(lm, m, new int[][] {lm.format().promptIds(PROMPT)}, new NDList())
                    .get(0)
                    .get(new NDIndex(":, -1, :"))
                    .toFloatArray();
        }
    }
}

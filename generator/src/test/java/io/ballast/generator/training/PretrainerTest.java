package io.ballast.generator.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ballast.generator.TinyModels;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.corpus.CorpusMix;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Generation;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.sampling.SamplingParams;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.domain.Occupation;
import java.util.List;
import org.junit.jupiter.api.Test;

class PretrainerTest {

    /**
     * Sampling noise (n = 200, sd <= 0.035) plus what 500 tiny steps leave unlearnt. The tiny model
     * learns the strongly skewed occupations first; mid-range ones (lawyers, 32% female in the
     * corpus) need the default size, which the benchmark reports on.
     */
    private static final double MIX_TOLERANCE = 0.15;

    @Test
    void aTinyModelLearnsTheCorpusItsFormatAndItsSkew() {
        // given a tiny model pretrained on the default (skewed) corpus
        Pretrainer.Result result = TinyModels.pretrained();
        LanguageModel lm = result.model();

        // then the loss fell a long way and held-out perplexity is low
        assertThat(result.firstLoss()).isGreaterThan(5.0);
        assertThat(result.finalLoss()).isLessThan(result.firstLoss() / 5);
        assertThat(result.heldOutPerplexity()).isBetween(1.0, 4.0);
        // a step with a non-finite gradient is skipped, not applied: a rare one is tolerated, a habit is not
        assertThat(result.skippedSteps()).isLessThanOrEqualTo(5);

        BioCorpus corpus = BioCorpus.withDefaults();
        Sampler sampler = new Sampler();
        for (String context : List.of("occupation:registered-nurses", "occupation:electricians")) {
            // when it samples 200 bios for a held-out phrasing of the prompt
            String prompt = corpus.prompt(context, BioCorpus.HELD_OUT_PROMPTS.get(0));
            List<Generation> samples =
                    sampler.generate(lm, prompt, 200, SamplingParams.defaults().withSeed(11L));

            // then each is well formed: one steering token per attribute, in order, then text, then <eos>
            long finished = samples.stream().filter(Generation::finished).count();
            assertThat(finished).as("bios that ended with <eos>").isGreaterThanOrEqualTo(190);
            for (Generation g : samples) {
                assertThat(g.steeringTokens()).hasSize(3);
                for (int i = 0; i < 3; i++) {
                    assertThat(Attribute.values()[i].categoryOf(
                                    g.steeringTokens().get(i)))
                            .isPresent();
                }
                assertThat(g.text()).isNotBlank().doesNotContain("<");
            }

            // and the share of female steering tokens follows the corpus mix
            double female = samples.stream()
                            .filter(g -> g.steeringTokens().get(0).equals("<gender:female>"))
                            .count()
                    / 200.0;
            double expected = CorpusMix.defaultSkew()
                    .distribution(Occupation.byContextKey(context).orElseThrow(), Attribute.GENDER)
                    .get("female");
            assertThat(female).as("female share for %s", context).isCloseTo(expected, within(MIX_TOLERANCE));
        }
    }

    @Test
    void theSameSeedGivesTheSameTraining() {
        // given two short runs with one seed and one with another
        PretrainSettings s = PretrainSettings.tiny().withSteps(5);
        Pretrainer.Result a = new Pretrainer().train("a", s, null);
        Pretrainer.Result b = new Pretrainer().train("b", s, null);
        Pretrainer.Result c = new Pretrainer().train("c", s.withSeed(8), null);
        try {
            // then the same seed reproduces the losses (up to the float rounding of multi-threaded
            // CPU reductions), another seed does not
            assertThat(b.firstLoss()).isCloseTo(a.firstLoss(), within(1e-5));
            assertThat(b.finalLoss()).isCloseTo(a.finalLoss(), within(1e-5));
            assertThat(Math.abs(c.finalLoss() - a.finalLoss())).isGreaterThan(1e-3);
            assertThat(a.model().tokenizer().size())
                    .isEqualTo(b.model().tokenizer().size());
        } finally {
            a.model().close();
            b.model().close();
            c.model().close();
        }
    }
}

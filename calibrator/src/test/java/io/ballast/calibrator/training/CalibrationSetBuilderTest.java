package io.ballast.calibrator.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.Targets;
import io.ballast.classifiers.ClassifierCatalog;
import io.ballast.generator.TinyModels;
import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.text.WordTokenizer;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.targets.TargetPresets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CalibrationSetBuilderTest {

    private static final String NURSES = "occupation:registered-nurses";

    @Test
    void givenTwoCalibratedAttributes_whenTheSetIsBuilt_thenEveryRowsForcedTokensFollowTheirTargets() throws Exception {
        // given targets for gender (a quarter female, never nonbinary) and sentiment (all negative) for nurses,
        // whom the tiny model writes about 90% female; race is not calibrated
        Targets targets = new Targets(List.of(
                TargetPresets.target(
                        Attribute.GENDER, NURSES, Map.of("male", 0.75, "female", 0.25, "nonbinary", 0.0), 0.08, "test"),
                TargetPresets.target(
                        Attribute.SENTIMENT,
                        NURSES,
                        Map.of("positive", 0.0, "neutral", 0.0, "negative", 1.0),
                        0.08,
                        "test")));
        CalibrationSettings settings =
                CalibrationSettings.defaults().withSeed(3L).withSet(s -> new CalibrationSettings.SetBuilding(4, 24, 0));
        try (LanguageModel model = TinyModels.loadPublished()) {
            // when the calibration set is built
            List<CalibrationExample> set = new CalibrationSetBuilder(ClassifierCatalog.defaults())
                    .build(model, Map.of(NURSES, List.of(Attribute.SENTIMENT, Attribute.GENDER)), targets, settings);
            List<CalibrationExample> sampled = set.stream()
                    .filter(e -> e.origin() == CalibrationExample.Origin.SAMPLED)
                    .toList();
            assertThat(sampled).hasSizeGreaterThan(60);

            // then each row carries a KL target for both calibrated attributes, in attribute order, and none for race
            assertThat(sampled)
                    .allSatisfy(e -> assertThat(e.steering())
                            .extracting(SteeringTarget::attribute)
                            .containsExactly(Attribute.GENDER, Attribute.SENTIMENT));
            // and the forced tokens are the targets' draws: a quarter female, never nonbinary, always negative
            long female = sampled.stream()
                    .filter(e -> token(model, e, Attribute.GENDER).equals("<gender:female>"))
                    .count();
            assertThat(female / (double) sampled.size()).isCloseTo(0.25, within(0.12));
            assertThat(sampled).noneMatch(e -> token(model, e, Attribute.GENDER).equals("<gender:nonbinary>"));
            assertThat(sampled)
                    .allMatch(e -> token(model, e, Attribute.SENTIMENT).equals("<sentiment:negative>"));

            // and KTO is balanced: swapped copies bring the undesirable rows up to the desirable ones,
            // each differing from a desirable row in one steering token only, its text kept
            long desirable = set.stream().filter(CalibrationExample::desirable).count();
            assertThat(set.size() - desirable).isEqualTo(desirable);
            List<CalibrationExample> swapped = set.stream()
                    .filter(e -> e.origin() == CalibrationExample.Origin.SWAPPED)
                    .toList();
            assertThat(swapped).isNotEmpty().noneMatch(CalibrationExample::desirable);
            for (CalibrationExample s : swapped) {
                assertThat(sampled).anySatisfy(source -> {
                    assertThat(source.desirable()).isTrue();
                    assertThat(differences(source.responseIds(), s.responseIds()))
                            .isEqualTo(1);
                });
            }
        }
    }

    @Test
    void givenWordDropout_whenAPromptIsMadeNoisy_thenOnlyPhrasingWordsChangeAndTheOccupationIsKept() throws Exception {
        try (LanguageModel model = TinyModels.loadPublished()) {
            // given a training prompt for nurses
            String template = BioCorpus.TRAIN_PROMPTS.get(0);
            String prompt = BioCorpus.withDefaults().prompt(NURSES, template);
            int[] intact = model.format().promptIds(prompt);
            int unk = model.tokenizer().id(WordTokenizer.UNK);
            CalibrationSetBuilder builder = new CalibrationSetBuilder(ClassifierCatalog.defaults());
            Random random = new Random(1);

            int[] occupation = model.tokenizer().encode(BioCorpus.withDefaults().prompt(NURSES, "{a} {occ}"));
            Set<Integer> intactIds = Arrays.stream(intact).boxed().collect(Collectors.toSet());
            int withUnknown = 0;
            int withNewWord = 0;
            for (int draw = 0; draw < 50; draw++) {
                // when it is made noisy
                int[] noisy = builder.withWordDropped(model, intact, template, NURSES, true, random);

                // then it differs from the intact prompt, by replacements and at most one insertion
                assertThat(noisy).isNotEqualTo(intact);
                assertThat(noisy.length).isBetween(intact.length, intact.length + 1);
                // and every id put in is the unknown token or a word (letters only: no special or steering token)
                for (int id : noisy) {
                    if (!intactIds.contains(id)) {
                        assertThat(id == unk
                                        || model.tokenizer().token(id).chars().allMatch(Character::isLetter))
                                .as("'%s' put in", model.tokenizer().token(id))
                                .isTrue();
                        withNewWord += id == unk ? 0 : 1;
                    }
                }
                withUnknown += Arrays.stream(noisy).anyMatch(id -> id == unk) ? 1 : 0;
                // and the article and occupation are there, whole and in order
                assertThat(containsRun(noisy, occupation)).isTrue();
                // and so are <bos> first and <sep> last
                assertThat(noisy[0]).isEqualTo(intact[0]);
                assertThat(noisy[noisy.length - 1]).isEqualTo(intact[intact.length - 1]);
            }
            // and both kinds of noise occur: unknown tokens and words the prompt did not have
            assertThat(withUnknown).isPositive();
            assertThat(withNewWord).isPositive();
        }
    }

    @Test
    void givenAnchorResponses_whenAOneOccupationSetIsBuilt_thenEveryOtherOccupationHasTheModelsOwnResponses()
            throws Exception {
        // given a job for nurses' gender with two anchor responses per occupation outside it
        Targets targets = new Targets(List.of(TargetPresets.target(
                Attribute.GENDER, NURSES, Map.of("male", 0.5, "female", 0.5, "nonbinary", 0.0), 0.08, "test")));
        CalibrationSettings settings = CalibrationSettings.defaults()
                .withSeed(5L)
                .withSet(s -> new CalibrationSettings.SetBuilding(2, 8, 0).withAnchorResponses(2));
        try (LanguageModel model = TinyModels.loadPublished()) {
            // when the set is built
            List<CalibrationExample> set = new CalibrationSetBuilder(ClassifierCatalog.defaults())
                    .build(model, Map.of(NURSES, List.of(Attribute.GENDER)), targets, settings);
            List<CalibrationExample> anchors =
                    set.stream().filter(CalibrationExample::anchor).toList();

            // then the anchor rows cover every other occupation and never the job's own
            Set<String> others = BioCorpus.withDefaults().occupations().stream()
                    .map(o -> o.contextKey())
                    .filter(c -> !c.equals(NURSES))
                    .collect(Collectors.toSet());
            assertThat(anchors).extracting(CalibrationExample::contextKey).doesNotContain(NURSES);
            assertThat(anchors.stream().map(CalibrationExample::contextKey).collect(Collectors.toSet()))
                    .isEqualTo(others);
            // and they carry no KL target: the anchor holds them at the reference, the KL and KTO terms never see them
            assertThat(anchors).allSatisfy(e -> assertThat(e.steering()).isEmpty());
            // and the calibration rows are what they were without anchors (the anchors are drawn last)
            List<CalibrationExample> without = new CalibrationSetBuilder(ClassifierCatalog.defaults())
                    .build(
                            model,
                            Map.of(NURSES, List.of(Attribute.GENDER)),
                            targets,
                            settings.withSet(s -> s.withAnchorResponses(0)));
            assertThat(set.stream().filter(e -> !e.anchor()).map(e -> Arrays.toString(e.responseIds())))
                    .containsExactlyElementsOf(without.stream()
                            .map(e -> Arrays.toString(e.responseIds()))
                            .toList());
        }
    }

    private static boolean containsRun(int[] ids, int[] run) {
        for (int i = 0; i + run.length <= ids.length; i++) {
            if (Arrays.equals(ids, i, i + run.length, run, 0, run.length)) {
                return true;
            }
        }
        return false;
    }

    private static String token(LanguageModel model, CalibrationExample e, Attribute a) {
        return model.tokenizer().token(e.responseIds()[a.ordinal()]);
    }

    private static int differences(int[] a, int[] b) {
        if (a.length != b.length) {
            return Integer.MAX_VALUE;
        }
        return (int) IntStream.range(0, a.length).filter(i -> a[i] != b[i]).count();
    }
}

package io.ballast.classifiers.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The classifiers on the test splits they were never tuned on (issue #24's targets): the hand-written bios and
 * race idioms, SST-2's validation set and the toxicity set's test split. What `ballast eval classifiers` prints.
 */
class ClassifierEvaluationTest {

    private static ClassifierEvaluation.Headline headline;
    private static String report;

    @BeforeAll
    static void evaluate() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        headline = new ClassifierEvaluation(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
        report = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(report);
    }

    @Test
    void genderIsReadRightOnBiosWithACue_andNeverGuessedWithoutOne() {
        assertThat(headline.genderWithCue().accuracy()).as(report).isGreaterThanOrEqualTo(0.98);
        assertThat(headline.noCue()).isGreaterThanOrEqualTo(50);
        assertThat(headline.noCueAbstained() / (double) headline.noCue()).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void raceIsReadOnlyWhereStated_precisionAtLeast95_andNoIdiomIsRace() {
        assertThat(headline.raceRead()).isGreaterThanOrEqualTo(50);
        assertThat(headline.raceReadRight() / (double) headline.raceRead()).isGreaterThanOrEqualTo(0.95);
        assertThat(headline.idioms()).isGreaterThanOrEqualTo(100);
        assertThat(headline.idiomFalsePositives()).isZero();
    }

    @Test
    void sentimentOnSst2_theEncoderHeadBeatsVader() {
        assertThat(headline.sst2Encoder().n()).isEqualTo(872);
        assertThat(headline.sst2Encoder().accuracy())
                .isGreaterThan(headline.sst2Vader().accuracy());
        assertThat(headline.sst2Encoder().accuracy()).isGreaterThanOrEqualTo(SST2_FLOOR);
    }

    @Test
    void toxicityAurocOnThePublicTestSplitIsAtLeast90() {
        assertThat(headline.toxicityEncoder().positives()
                        + headline.toxicityEncoder().negatives())
                .isEqualTo(1500);
        assertThat(headline.toxicityEncoder().value()).isGreaterThanOrEqualTo(0.90);
    }

    /** Issue #24's target for the encoder on SST-2's validation set (the committed adapter measures 0.892). */
    static final double SST2_FLOOR = 0.88;
}

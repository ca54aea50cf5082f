package io.ballast.calibrator.constraint;

import io.ballast.calibrator.training.CalibrationExample;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Generation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * The training rows of constraint learning: the model's own samples, each labelled by whether its
 * text satisfies the constraint. A row is a {@link CalibrationExample} with {@code desirable} =
 * satisfied and no steering targets, so the shared loop takes it as it is, and the filtered-SFT
 * baseline is {@code IftObjective} on the same rows (it trains on the desirable ones only).
 */
public final class ConstraintSamples {

    private ConstraintSamples() {}

    /**
     * @param satisfied the constraint, judged on the text users see (e.g. "not toxic" by a classifier)
     */
    public static List<CalibrationExample> labelled(
            LanguageModel lm, String contextKey, List<Generation> generations, Predicate<String> satisfied) {
        return generations.stream()
                .map(g -> new CalibrationExample(
                        contextKey,
                        g.prompt(),
                        lm.format().promptIds(g.prompt()),
                        g.responseIds(),
                        satisfied.test(g.text()),
                        CalibrationExample.Origin.SAMPLED,
                        List.of()))
                .toList();
    }

    /**
     * A step's rows as both objectives over labelled samples read them: each row's sequence, prompt
     * length and label (1 = satisfied).
     */
    record LabelledRows(List<int[]> sequences, int[] promptLengths, float[] satisfied) {

        static LabelledRows of(List<CalibrationExample> set, int[] rows, int contextLength) {
            List<int[]> sequences = new ArrayList<>(rows.length);
            int[] promptLengths = new int[rows.length];
            float[] satisfied = new float[rows.length];
            for (int i = 0; i < rows.length; i++) {
                CalibrationExample e = set.get(rows[i]);
                sequences.add(sequence(e, contextLength));
                promptLengths[i] = e.promptIds().length;
                satisfied[i] = e.desirable() ? 1f : 0f;
            }
            return new LabelledRows(sequences, promptLengths, satisfied);
        }

        int size() {
            return promptLengths.length;
        }
    }

    /** Prompt then response ids, cut to the context the model has positions for. */
    static int[] sequence(CalibrationExample e, int contextLength) {
        int[] out = Arrays.copyOf(e.promptIds(), e.promptIds().length + e.responseIds().length);
        System.arraycopy(e.responseIds(), 0, out, e.promptIds().length, e.responseIds().length);
        return out.length <= contextLength ? out : Arrays.copyOf(out, contextLength);
    }
}

package io.ballast.calibrator.training;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.ballast.generator.model.LanguageModel;

/**
 * What {@link FineTuningLoop} trains: a DJL model whose block holds the trainable parameters (a
 * language model's, or steering vectors over a frozen one), and the input shape that initialises it.
 */
public record Trainable(Model model, Shape inputShape) {

    /** A language model, trained on token ids of up to its context length. */
    public static Trainable of(LanguageModel lm) {
        return new Trainable(lm.djlModel(), new Shape(1, lm.config().contextLength() - 1));
    }

    public Block block() {
        return model.getBlock();
    }

    public NDManager manager() {
        return model.getNDManager();
    }
}

package io.ballast.generator.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Pretraining's loss: mean negative log-likelihood of the next token over the counted positions.
 * Labels are a {@link TokenBatch}'s targets and mask ({@link #labels}), predictions the logits.
 */
public final class NextTokenLoss extends Loss {

    public NextTokenLoss() {
        super("next-token-nll");
    }

    public static NDList labels(TokenBatch batch) {
        return new NDList(batch.targets(), batch.mask());
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        return new TokenBatch(null, labels.get(0), labels.get(1), 0).meanNll(predictions.head());
    }
}

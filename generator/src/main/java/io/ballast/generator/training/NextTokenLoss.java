package io.ballast.generator.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import io.ballast.generator.model.GraphScalars;

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
        return meanNll(labels, predictions.head());
    }

    /**
     * Mean negative log-likelihood of the targets over the mask, for labels laid out as
     * {@link #labels} makes them (further labels after the mask are ignored). The count comes from
     * the mask: labels carry no token count.
     */
    public static NDArray meanNll(NDList labels, NDArray logits) {
        NDArray mask = labels.get(1);
        TokenBatch tokens = new TokenBatch(null, labels.get(0), mask, 0);
        return tokens.targetLogProbs(logits).mul(mask).sum().neg().div(GraphScalars.maximum(mask.sum(), 1));
    }
}

package io.ballast.calibrator.constraint;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Which rows a step trains on: each epoch visits every row once, in an order drawn from the seed
 * and the epoch, B rows per step (the epoch's last step takes the rest). A function of the step,
 * so a resumed run sees the batches it would have.
 */
final class EpochBatches {

    private final int rows;
    private final int batchSize;
    private final long seed;
    private int epochInMemory = -1;
    private List<Integer> order;

    EpochBatches(int rows, int batchSize, long seed) {
        if (rows < 1 || batchSize < 1) {
            throw new IllegalArgumentException(rows + " rows in batches of " + batchSize);
        }
        this.rows = rows;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    int stepsPerEpoch() {
        return (rows + batchSize - 1) / batchSize;
    }

    /** The rows of a step (1-based). */
    int[] rowsOf(int step) {
        int epoch = (step - 1) / stepsPerEpoch();
        int within = (step - 1) % stepsPerEpoch();
        if (epoch != epochInMemory) {
            order = new ArrayList<>(rows);
            for (int i = 0; i < rows; i++) {
                order.add(i);
            }
            Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
            epochInMemory = epoch;
        }
        int from = within * batchSize;
        int to = Math.min(rows, from + batchSize);
        return order.subList(from, to).stream().mapToInt(Integer::intValue).toArray();
    }
}

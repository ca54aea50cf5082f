package io.ballast.calibrator.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import io.ballast.generator.model.GraphScalars;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Adam whose state can be checkpointed. DJL's {@code Adam} keeps its moment estimates and update
 * counts in private maps keyed by parameter ids that change with every load, so a resumed run
 * restarted them and its first steps moved with a cold momentum; this one keys them by the
 * parameter's name in the block and writes them with the parameters.
 *
 * <p>The update is DJL's PyTorch Adam (MXNet-style, no weight decay): {@code m = b1 m + (1-b1) g},
 * {@code v = b2 v + (1-b2) g^2}, {@code w -= lr_t sqrt(1-b2^t)/(1-b1^t) m / (sqrt(v) + eps)}, with
 * the learning rate {@code lr_t} of a schedule (warm-up) at the parameter's update count; the
 * parameter's gradient is zeroed afterwards. Gradients arrive clipped by global norm
 * ({@link io.ballast.generator.training.GradientClipping}); DJL's own {@code optClipGrad} is not
 * used: its PyTorch engine clamps elements from above only ({@code clamp_max}), so large negative
 * elements passed unclipped.
 */
final class ResumableAdam extends Optimizer implements AutoCloseable {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;
    private static final int FORMAT = 0x41444d31; // "ADM1"

    private static final class Moments {
        int updates;
        NDArray mean;
        NDArray variance;
    }

    /** The learning rate at a parameter's t-th update (1-based). */
    @FunctionalInterface
    interface Schedule {
        double at(int update);
    }

    private final Schedule schedule;
    private final NDManager manager;
    private final Map<String, String> names = new HashMap<>();
    private final Map<String, Moments> moments = new TreeMap<>();

    ResumableAdam(Block block, NDManager parent, Schedule schedule) {
        super(new Builder());
        this.schedule = schedule;
        this.manager = parent.newSubManager();
        for (Pair<String, Parameter> p : block.getParameters()) {
            names.put(p.getValue().getId(), p.getKey());
        }
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        String name = names.getOrDefault(parameterId, parameterId);
        Moments s = moments.computeIfAbsent(name, n -> {
            Moments fresh = new Moments();
            fresh.mean = manager.zeros(weight.getShape(), weight.getDataType(), weight.getDevice());
            fresh.variance = manager.zeros(weight.getShape(), weight.getDataType(), weight.getDevice());
            return fresh;
        });
        s.updates++;
        try (NDManager scratch = manager.newSubManager()) {
            // the moments' temporaries land in scratch and are freed with it; the moments go back to manager
            scratch.tempAttachAll(s.mean, s.variance);
            NDArray g = grad.duplicate(); // in scratch, so the temporaries below are freed with it
            g.attach(scratch);
            s.mean.muli(BETA1).addi(GraphScalars.mul(g, 1 - BETA1));
            s.variance.muli(BETA2).addi(g.square().muli(1 - BETA2));
            double correction = Math.sqrt(1 - Math.pow(BETA2, s.updates)) / (1 - Math.pow(BETA1, s.updates));
            NDArray delta =
                    s.mean.div(s.variance.sqrt().addi(EPSILON)).muli((float) (schedule.at(s.updates) * correction));
            // the update must not be recorded by autograd: write through a detached alias of the weight
            try (NDArray data = weight.stopGradient()) {
                data.subi(delta);
            }
        }
        // the trainer hands the optimizer a copy of the gradient: zero the parameter's own, or the
        // next backward would add to this step's gradient
        try (NDArray accumulated = weight.getGradient()) {
            accumulated.set(new NDIndex("..."), 0f); // a fill, not g - g: an infinite element would stay NaN
        }
    }

    /** Writes the moments and update counts. */
    void save(DataOutputStream out) throws IOException {
        out.writeInt(FORMAT);
        out.writeInt(moments.size());
        for (Map.Entry<String, Moments> e : moments.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue().updates);
            write(out, e.getValue().mean.encode());
            write(out, e.getValue().variance.encode());
        }
    }

    /** Reads what {@link #save} wrote; a checkpoint from before moments were saved leaves them fresh. */
    void load(DataInputStream in) throws IOException {
        int format;
        try {
            format = in.readInt();
        } catch (EOFException e) {
            return;
        }
        if (format != FORMAT) {
            throw new IOException("unknown optimizer state format " + Integer.toHexString(format));
        }
        clear();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            Moments s = new Moments();
            String name = in.readUTF();
            s.updates = in.readInt();
            s.mean = NDArray.decode(manager, read(in));
            s.variance = NDArray.decode(manager, read(in));
            moments.put(name, s);
        }
    }

    /** Update count of a parameter by its name in the block (0 before its first update). */
    int updates(String name) {
        Moments s = moments.get(name);
        return s == null ? 0 : s.updates;
    }

    @Override
    public void close() {
        clear();
        manager.close();
    }

    private void clear() {
        moments.values().forEach(s -> {
            s.mean.close();
            s.variance.close();
        });
        moments.clear();
    }

    private static void write(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] read(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return bytes;
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}

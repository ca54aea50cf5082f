package io.ballast.generator.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.function.BinaryOperator;

/**
 * Arithmetic between an array and a constant, safe in code that autograd records: every forward
 * pass, loss and objective uses these in place of DJL's {@code NDArray.mul(Number)}, {@code div},
 * {@code maximum} and {@code minimum} (and {@code Activation.swish}, which calls {@code mul}).
 *
 * <p>Why: DJL's PyTorch engine wraps the number in an array over a Java direct buffer
 * ({@code torch::from_blob}, no copy), applies the op and closes that array at once, which drops
 * the only Java reference to the buffer. PyTorch's backward of these ops reads the constant again
 * (the gradient of {@code x * c} is {@code g * c}). A garbage collection between the forward and
 * the backward frees the buffer, the allocator writes its own bookkeeping into it, and the backward
 * multiplies by that: the step's gradients come out NaN, infinite or merely wrong while its loss is
 * fine. Calibration jobs skipped such steps now and then ("gradient norm NaN") for several
 * versions; with a collection forced before each backward every step's gradient was garbage.
 *
 * <p>Here the constant is a 0-d array that PyTorch allocates itself ({@code torch::full}), so the
 * graph's own reference keeps it alive after the Java handle is closed. The values are the same as
 * DJL's (a constant of the array's type), so results do not change where no collection intervened.
 */
public final class GraphScalars {

    private GraphScalars() {}

    /** {@code x * c}. */
    public static NDArray mul(NDArray x, double c) {
        return withConstant(x, c, NDArray::mul);
    }

    /** {@code x / c}. */
    public static NDArray div(NDArray x, double c) {
        return withConstant(x, c, NDArray::div);
    }

    /** Element-wise {@code max(x, c)}. */
    public static NDArray maximum(NDArray x, double c) {
        return withConstant(x, c, NDArray::maximum);
    }

    /** Element-wise {@code min(x, c)}. */
    public static NDArray minimum(NDArray x, double c) {
        return withConstant(x, c, NDArray::minimum);
    }

    /** SiLU, {@code x · sigmoid(x)}: DJL's {@code Activation.swish(x, 1)} multiplies by β through {@code mul(Number)}. */
    public static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /**
     * {@code op(x, k)} with k a 0-d array of {@code x}'s type and device holding {@code c}, in memory
     * PyTorch owns: closing k's handle leaves the graph's own reference, and the value, in place.
     */
    private static NDArray withConstant(NDArray x, double c, BinaryOperator<NDArray> op) {
        try (NDArray k = x.getManager().full(new Shape(), (float) c, x.getDataType(), x.getDevice())) {
            return op.apply(x, k);
        }
    }
}

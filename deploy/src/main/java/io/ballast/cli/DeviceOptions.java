package io.ballast.cli;

import ai.djl.Device;
import io.ballast.generator.model.ComputeDevice;
import picocli.CommandLine.Option;

/**
 * {@code --device}, shared by every command that loads or trains a model outside a service. Its default is the
 * services' environment variable for {@code ballast.device}, so an image that sets it (the GPU image) applies to
 * {@code ballast calibrate} as it does to {@code ballast calibrator}.
 */
final class DeviceOptions {

    /** {@link io.ballast.runtime.ConfigSource#envName} of {@link ComputeDevice#KEY}; checked by DeviceOptionsTest. */
    static final String ENV = "BALLAST_DEVICE";

    @Option(
            names = "--device",
            defaultValue = "${env:" + ENV + ":-auto}",
            description = "Where models run: auto (a GPU when PyTorch sees one, else the CPU), cpu, or gpu (fails"
                    + " without a CUDA libtorch and a visible GPU) (default: ${DEFAULT-VALUE}, from " + ENV + ").")
    String device;

    /** The device, logged with the engine build; a bad value or an unusable gpu fails naming what is wrong. */
    Device resolve() {
        return ComputeDevice.resolve(device);
    }
}

package io.ballast.generator.model;

import ai.djl.Device;
import io.ballast.runtime.ConfigSource;
import io.ballast.runtime.Setting;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where models run: the operator's {@code auto}, {@code cpu} or {@code gpu}, checked against the {@link EngineBuild}
 * DJL loaded. {@code gpu} fails at start rather than silently training on the CPU, so a GPU node that lacks the CUDA
 * libtorch is noticed.
 *
 * <p>Precision is FP32 everywhere: DJL 0.35.1's PyTorch engine exposes no autocast or gradient scaler, so mixed
 * precision training would mean casting weights by hand without loss scaling; it is not offered.
 */
public final class ComputeDevice {

    private static final Logger log = LoggerFactory.getLogger(ComputeDevice.class);

    public static final String KEY = "ballast.device";

    /** The only CUDA flavor the pytorch-jni jar carries a Linux JNI library for ({@code jnilib/linux-x86_64/cu128}). */
    public static final String CUDA_FLAVOR = "cu128";

    /** How models choose their device. */
    public enum Choice {
        /** a GPU when the loaded libtorch has CUDA and a device is visible, the CPU otherwise */
        AUTO,
        CPU,
        /** a GPU or a failed start */
        GPU
    }

    public static final Setting<Choice> SETTING = Setting.choice(
            KEY,
            Choice.class,
            Choice.AUTO,
            "where models run: auto (a GPU when PyTorch sees one, else the CPU), cpu, or gpu (start fails without a"
                    + " CUDA libtorch and a visible GPU)");

    private ComputeDevice() {}

    /** The device for a choice as written by a person (any case); a bad value throws naming {@link #KEY}. */
    public static Device resolve(String choice) {
        return resolve(SETTING.read(ConfigSource.ofMap(choice == null ? Map.of() : Map.of(KEY, choice))));
    }

    /** The device for a choice on this process's engine, logged with the engine build. */
    public static Device resolve(Choice choice) {
        return resolve(choice, EngineBuild.loaded());
    }

    static Device resolve(Choice choice, EngineBuild build) {
        Device device = switch (choice) {
            case CPU -> Device.cpu();
            case AUTO -> build.gpuUsable() ? Device.gpu() : Device.cpu();
            case GPU -> {
                if (!build.gpuUsable()) {
                    throw new IllegalStateException(missingGpu(build));
                }
                yield Device.gpu();
            }
        };
        log.info("models run on {} ({}={}): {}", device, KEY, lower(choice), build.describe());
        return device;
    }

    /** Names each thing that is missing and what fixes it. */
    static String missingGpu(EngineBuild build) {
        StringBuilder m = new StringBuilder(KEY + "=gpu, but no GPU can be used:");
        if (!build.cudaBuild()) {
            m.append(" the loaded libtorch is the CPU build (")
                    .append(build.libtorch())
                    .append("); set PYTORCH_LIBRARY_PATH to the lib directory of a CUDA libtorch ")
                    .append(build.version())
                    .append(", PYTORCH_VERSION=")
                    .append(build.version())
                    .append(" and PYTORCH_FLAVOR=")
                    .append(CUDA_FLAVOR)
                    .append(" (deploy/docker/calibrator-gpu.Dockerfile does);");
        }
        if (build.visibleGpus() == 0) {
            m.append(" no CUDA device is visible (no NVIDIA driver, or the container was given no GPU: compose's"
                    + " device reservation, Kubernetes' nvidia.com/gpu limit);");
        }
        m.append(" use ").append(KEY).append("=auto or cpu to run on the CPU");
        return m.toString();
    }

    private static String lower(Choice c) {
        return c.name().toLowerCase(java.util.Locale.ROOT);
    }
}

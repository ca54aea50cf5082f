package io.ballast.generator.model;

import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.Utils;
import ai.djl.util.cuda.CudaUtils;

/**
 * The deep-learning build this process runs on: which engine and libtorch DJL loaded, whether that libtorch was built
 * with CUDA, and how many CUDA devices the driver shows. A GPU is usable only when both hold: the CPU libtorch on a GPU
 * host, or the CUDA libtorch without a visible device, both run on the CPU.
 *
 * @param engine the DJL engine's name ("PyTorch")
 * @param version the libtorch version DJL loaded
 * @param libtorch the directory DJL loaded libtorch from (PYTORCH_LIBRARY_PATH, or its cache of the jar's natives)
 * @param flavor PYTORCH_FLAVOR as DJL reads it (environment, then system property), "unset" when neither is set
 * @param cudaBuild whether the loaded libtorch has the CUDA capability
 * @param visibleGpus CUDA devices the driver reports (0 without a driver)
 */
public record EngineBuild(
        String engine, String version, String libtorch, String flavor, boolean cudaBuild, int visibleGpus) {

    /** The build of the process's default engine; loads the engine if nothing has yet. */
    public static EngineBuild loaded() {
        Engine e = Engine.getInstance();
        String flavor = Utils.getEnvOrSystemProperty("PYTORCH_FLAVOR");
        return new EngineBuild(
                e.getEngineName(),
                e.getVersion(),
                libtorchDirectory(e),
                flavor == null || flavor.isBlank() ? "unset" : flavor,
                e.hasCapability(StandardCapabilities.CUDA),
                CudaUtils.getGpuCount());
    }

    /** Whether a model can be put on a GPU here. */
    public boolean gpuUsable() {
        return cudaBuild && visibleGpus > 0;
    }

    /** One line for the start-up log and error messages. */
    public String describe() {
        return engine + " " + version + " (" + (cudaBuild ? "CUDA" : "CPU") + " build) from " + libtorch
                + ", PYTORCH_FLAVOR " + flavor + ", " + visibleGpus + " CUDA device(s) visible";
    }

    private static String libtorchDirectory(Engine e) {
        // LibUtils is PyTorch's loader; another engine (none is on the classpath today) has no such path
        return "PyTorch".equals(e.getEngineName()) ? LibUtils.getLibtorchPath() : "(" + e.getEngineName() + ")";
    }
}

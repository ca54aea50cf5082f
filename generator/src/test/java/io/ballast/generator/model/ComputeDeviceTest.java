package io.ballast.generator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.ballast.runtime.ConfigException;
import org.junit.jupiter.api.Test;

/** The device choice on this machine (CPU libtorch, no GPU) and on builds it cannot run: a GPU host, a CPU build. */
class ComputeDeviceTest {

    private static final EngineBuild CUDA_WITH_GPU =
            new EngineBuild("PyTorch", "2.7.1", "/opt/torch/lib", "cu128", true, 1);
    private static final EngineBuild CPU_BUILD_ON_GPU_HOST =
            new EngineBuild("PyTorch", "2.7.1", "/cache/pytorch/2.7.1-cpu-linux-x86_64", "unset", false, 1);
    private static final EngineBuild CUDA_WITHOUT_GPU =
            new EngineBuild("PyTorch", "2.7.1", "/opt/torch/lib", "cu128", true, 0);

    @Test
    void cpuIsTheCpu() {
        // given the CPU libtorch this build ships
        // when cpu is chosen
        Device device = ComputeDevice.resolve("cpu");
        // then models run on the CPU
        assertThat(device).isEqualTo(Device.cpu());
    }

    @Test
    void autoIsTheCpuWhereNoGpuIsUsable() {
        // given this machine: the CPU libtorch and no CUDA device
        assertThat(EngineBuild.loaded().gpuUsable()).isFalse();
        // when auto is chosen (in any case)
        Device device = ComputeDevice.resolve("AUTO");
        // then models run on the CPU, as DJL's own default would put them
        assertThat(device).isEqualTo(Device.cpu()).isEqualTo(LanguageModel.defaultDevice());
    }

    @Test
    void gpuFailsHereNamingWhatIsMissingAndHowToFixIt() {
        // given this machine: the CPU libtorch and no CUDA device
        // when gpu is chosen, then the start fails, naming both gaps and the fix
        assertThatThrownBy(() -> ComputeDevice.resolve("gpu"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(ComputeDevice.KEY + "=gpu")
                .hasMessageContaining("the loaded libtorch is the CPU build")
                .hasMessageContaining("no CUDA device is visible")
                .hasMessageContaining("PYTORCH_LIBRARY_PATH")
                .hasMessageContaining("PYTORCH_VERSION=" + EngineBuild.loaded().version())
                .hasMessageContaining("PYTORCH_FLAVOR=cu128");
    }

    @Test
    void aBadValueNamesTheKey() {
        // given a value that is no device choice
        // when it is resolved, then it fails as a configuration error naming the key and the choices
        assertThatThrownBy(() -> ComputeDevice.resolve("cuda"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(ComputeDevice.KEY)
                .hasMessageContaining("'cuda'")
                .hasMessageContaining("auto, cpu or gpu");
    }

    @Test
    void autoAndGpuPickTheGpuOnACudaBuildThatSeesOne() {
        // given a CUDA libtorch and a visible device
        // when auto or gpu is chosen, then the model goes on the first GPU
        assertThat(ComputeDevice.resolve(ComputeDevice.Choice.AUTO, CUDA_WITH_GPU))
                .isEqualTo(Device.gpu());
        assertThat(ComputeDevice.resolve(ComputeDevice.Choice.GPU, CUDA_WITH_GPU))
                .isEqualTo(Device.gpu());
        assertThat(ComputeDevice.resolve(ComputeDevice.Choice.CPU, CUDA_WITH_GPU))
                .isEqualTo(Device.cpu());
    }

    @Test
    void aGpuHostWithTheCpuBuildNamesOnlyTheLibtorch() {
        // given the CPU libtorch on a host whose driver shows a GPU (the plain image given a GPU)
        // when auto is chosen, then it stays on the CPU rather than asking a CPU build for CUDA
        assertThat(ComputeDevice.resolve(ComputeDevice.Choice.AUTO, CPU_BUILD_ON_GPU_HOST))
                .isEqualTo(Device.cpu());
        // and gpu names the libtorch, not the device, as what is missing
        assertThat(ComputeDevice.missingGpu(CPU_BUILD_ON_GPU_HOST))
                .contains("CPU build")
                .contains(CPU_BUILD_ON_GPU_HOST.libtorch())
                .doesNotContain("no CUDA device");
    }

    @Test
    void aCudaBuildWithoutADeviceNamesOnlyTheDevice() {
        // given the CUDA libtorch in a container that was given no GPU
        // when gpu is chosen, then the message names the missing device and how a GPU is given
        assertThat(ComputeDevice.missingGpu(CUDA_WITHOUT_GPU))
                .contains("no CUDA device is visible")
                .contains("nvidia.com/gpu")
                .doesNotContain("CPU build");
        assertThatThrownBy(() -> ComputeDevice.resolve(ComputeDevice.Choice.GPU, CUDA_WITHOUT_GPU))
                .isInstanceOf(IllegalStateException.class);
    }
}

# The calibrator on a GPU: PyTorch's official CUDA 12.8 runtime image supplies a CUDA libtorch 2.7.1 (the torch
# package in its conda Python), a JRE 17 runs ballast.jar beside it, and DJL is pointed at that libtorch instead of
# the CPU natives in lib/. Nothing is downloaded at run time: DJL takes the matching JNI library from the
# pytorch-jni jar in lib/ (jnilib/linux-x86_64/cu128). Never built or run here (no Docker engine, no GPU).
# Build from the repository root after `mvn -B -q install -DskipTests`:
#   docker build -f deploy/docker/calibrator-gpu.Dockerfile -t ballast-calibrator-gpu:latest .
FROM pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/ballast
COPY deploy/target/ballast.jar ./ballast.jar
COPY deploy/target/lib ./lib
# DJL's LibUtils loads libtorch from PYTORCH_LIBRARY_PATH when libtorch.so is there, ahead of the natives jar, and
# takes the version and flavor of that libtorch from PYTORCH_VERSION and PYTORCH_FLAVOR: they name the JNI library
# it extracts into DJL_CACHE_DIR, which must be built for exactly this libtorch. Unset, the flavor would be guessed
# as cu<driver's CUDA>-precxx11, a JNI the jar does not carry (and offline, DJL cannot fetch it).
# BALLAST_DEVICE=gpu: a container that got no GPU stops at start, saying so, instead of fine-tuning on the CPU.
ENV OPT_OUT_TRACKING=true \
    DJL_CACHE_DIR=/var/lib/ballast/djl-cache \
    MALLOC_ARENA_MAX=2 \
    PYTORCH_LIBRARY_PATH=/opt/conda/lib/python3.11/site-packages/torch/lib \
    PYTORCH_VERSION=2.7.1 \
    PYTORCH_FLAVOR=cu128 \
    BALLAST_DEVICE=gpu
# a wrong path would otherwise show only at run time, as DJL quietly loading the CPU natives
RUN test -f "$PYTORCH_LIBRARY_PATH/libtorch.so" && test -f "$PYTORCH_LIBRARY_PATH/libtorch_cuda.so"
VOLUME ["/var/lib/ballast"]
ENTRYPOINT ["java", "-Dai.djl.offline=true", "-jar", "/opt/ballast/ballast.jar"]
CMD ["calibrator"]

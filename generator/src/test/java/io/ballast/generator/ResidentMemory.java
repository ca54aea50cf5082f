package io.ballast.generator;

import java.nio.file.Files;
import java.nio.file.Path;

/** This JVM's resident set size: Java heap plus the native memory DJL and PyTorch hold. */
public final class ResidentMemory {

    private ResidentMemory() {
    }

    public static long kilobytes() throws Exception {
        System.gc();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}

package io.ballast.generator;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Native memory of this JVM outside the Java heap: resident set size minus the heap and non-heap
 * memory the JVM has committed. What DJL and PyTorch allocate shows here; heap growth does not.
 */
public final class ResidentMemory {

    private ResidentMemory() {}

    public static long kilobytes() throws Exception {
        System.gc();
        var memory = ManagementFactory.getMemoryMXBean();
        long jvmCommittedKb = (memory.getHeapMemoryUsage().getCommitted()
                        + memory.getNonHeapMemoryUsage().getCommitted())
                / 1024;
        return residentKb() - jvmCommittedKb;
    }

    private static long residentKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}

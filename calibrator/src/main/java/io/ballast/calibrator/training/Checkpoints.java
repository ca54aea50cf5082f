package io.ballast.calibrator.training;

import ai.djl.MalformedModelException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * Training checkpoints: {@code step-<n>.bin} holds the policy's parameters after step n and then
 * the optimizer's state (Adam's moments and update counts), written to a temporary file and
 * renamed, so a crash never leaves half a checkpoint. Resuming loads the newest one, so a resumed
 * run continues with the momentum it had.
 */
final class Checkpoints {

    private Checkpoints() {}

    static void save(Trainable policy, ResumableAdam optimizer, Path dir, int step) throws IOException {
        Path tmp = dir.resolve("step-" + step + ".bin.tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
            policy.block().saveParameters(out);
            optimizer.save(out);
        }
        Files.move(
                tmp,
                dir.resolve("step-" + step + ".bin"),
                StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        try (Stream<Path> old = Files.list(dir)) {
            for (Path p : old.filter(p -> p.getFileName().toString().matches("step-\\d+\\.bin") && step(p) < step)
                    .toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Loads the newest checkpoint into the policy and the optimizer; returns its step, or 0 when there is none. */
    static int resume(Trainable policy, ResumableAdam optimizer, Path dir) throws IOException {
        Path newest;
        try (Stream<Path> files = Files.list(dir)) {
            newest = files.filter(p -> p.getFileName().toString().matches("step-\\d+\\.bin"))
                    .max((a, b) -> Integer.compare(step(a), step(b)))
                    .orElse(null);
        }
        if (newest == null) {
            return 0;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(newest)))) {
            policy.block().loadParameters(policy.manager(), in);
            optimizer.load(in);
        } catch (MalformedModelException e) {
            throw new IOException("corrupt checkpoint " + newest, e);
        }
        return step(newest);
    }

    private static int step(Path p) {
        String name = p.getFileName().toString();
        return Integer.parseInt(name.substring(5, name.indexOf('.')));
    }
}

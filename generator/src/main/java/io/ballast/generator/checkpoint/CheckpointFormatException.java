package io.ballast.generator.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint file is not what it claims to be (truncated, corrupt header, inconsistent index).
 * Checked, like any other reason a file cannot be read, but distinct so a caller can tell a bad
 * download from a missing disk.
 */
public class CheckpointFormatException extends IOException {

    private final transient Path file;

    public CheckpointFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public CheckpointFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}

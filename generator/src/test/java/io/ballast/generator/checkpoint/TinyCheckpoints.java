package io.ballast.generator.checkpoint;

/**
 * The tests' name for {@link RandomCheckpoint}: {@code TinyCheckpoints.write(dir, TinyCheckpoints.Spec.llama(),
 * seed)} and {@code TinyCheckpoints.WORDS} are the random checkpoint's own, inherited.
 */
public final class TinyCheckpoints extends RandomCheckpoint {

    private TinyCheckpoints() {}
}

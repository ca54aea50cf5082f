package io.ballast.calibrator.training;

/**
 * Training stopped before its last step because its thread was interrupted (the service is
 * shutting down). The last finished step is checkpointed: running the same job again resumes there.
 */
public final class TrainingCancelledException extends RuntimeException {

    private final int lastStep;

    public TrainingCancelledException(int lastStep, int totalSteps) {
        super("training cancelled after step " + lastStep + " of " + totalSteps + "; checkpointed, resumes from there");
        this.lastStep = lastStep;
    }

    /** The last finished (and checkpointed) step; 0 when none finished. */
    public int lastStep() {
        return lastStep;
    }
}

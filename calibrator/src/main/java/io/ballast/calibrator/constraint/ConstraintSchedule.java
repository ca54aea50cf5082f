package io.ballast.calibrator.constraint;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Rounds of constraint learning: {sample from the current model, label, train R, fine-tune the
 * model against R}, run one of two ways.
 *
 * <p><b>Sequential:</b> round k samples the policy as it is ({@code p_{k−1}}), fits R on those
 * samples and fine-tunes against it: every step waits for the one before, and R always describes
 * the model it guides.
 *
 * <p><b>Parallel</b> (arXiv 2410.05559's scheme): after a prologue that samples {@code p_0} and
 * fits the first R, round k fine-tunes {@code p_{k−1} → p_k} against the R that is ready while,
 * in a second thread, the next R is sampled from {@code p_{k−1}} (a snapshot taken as the round
 * starts) and fitted. So {@code p_k} learns from an R trained on samples of {@code p_{k−2}}, as in
 * the paper; the paper's separate sampling stage (one round more of staleness) is folded into R's
 * thread, since sampling here takes seconds. The last round fits no R: nothing would read it.
 *
 * <p>The schedule only decides what runs when and on which model version; {@link Work} does it.
 */
public final class ConstraintSchedule {

    /** How rounds are run. */
    public enum Mode {
        SEQUENTIAL,
        PARALLEL
    }

    /**
     * The steps of a round, on real models or fakes.
     *
     * @param <M> a frozen copy of the policy at some version
     * @param <D> labelled samples
     * @param <R> a fitted satisfaction model
     */
    public interface Work<M, D, R> {

        /** A frozen copy of the policy as it is now, after {@code version} fine-tunings. */
        M snapshot(int version) throws Exception;

        D sample(M model) throws Exception;

        R fitSatisfaction(M model, D samples) throws Exception;

        /**
         * Fine-tunes the policy in place against R, the closed-form target built from R's own
         * model (the one whose samples R learned from) and trained on those samples.
         */
        void fineTune(M reference, R satisfaction, D samples) throws Exception;
    }

    /**
     * One round as it ran.
     *
     * @param round 0 for the parallel schedule's prologue, then 1..K
     * @param seconds wall-clock
     * @param guidedBy the policy version whose samples trained the R this round fine-tuned against
     *     (-1: no fine-tuning this round)
     * @param fittedOn the policy version whose samples this round's new R was fitted on (-1: none)
     * @param policyAfter the policy version when the round ended
     */
    public record Round(int round, double seconds, int guidedBy, int fittedOn, int policyAfter) {}

    /** What is ready for a fine-tuning: an R, the model version it describes and its samples. */
    private record Guide<M, D, R>(int version, M model, D samples, R satisfaction) {}

    private final Mode mode;
    private final int rounds;

    public ConstraintSchedule(Mode mode, int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("at least one round: " + rounds);
        }
        this.mode = mode;
        this.rounds = rounds;
    }

    public <M, D, R> List<Round> run(Work<M, D, R> work) throws Exception {
        return mode == Mode.SEQUENTIAL ? sequential(work) : parallel(work);
    }

    private <M, D, R> List<Round> sequential(Work<M, D, R> work) throws Exception {
        List<Round> out = new ArrayList<>();
        for (int k = 1; k <= rounds; k++) {
            long start = System.nanoTime();
            Guide<M, D, R> guide = guide(work, k - 1);
            work.fineTune(guide.model(), guide.satisfaction(), guide.samples());
            out.add(new Round(k, seconds(start), k - 1, k - 1, k));
        }
        return out;
    }

    private <M, D, R> List<Round> parallel(Work<M, D, R> work) throws Exception {
        List<Round> out = new ArrayList<>();
        long start = System.nanoTime();
        Guide<M, D, R> ready = guide(work, 0);
        out.add(new Round(0, seconds(start), -1, 0, 0));
        ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "constraint-schedule");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int k = 1; k <= rounds; k++) {
                start = System.nanoTime();
                Guide<M, D, R> current = ready;
                int previous = k - 1;
                // R's thread reads a copy taken here, before the policy's first step of the round
                M snapshot = k < rounds ? work.snapshot(previous) : null;
                Future<Guide<M, D, R>> next =
                        snapshot != null ? threads.submit(() -> guide(work, previous, snapshot)) : null;
                Future<?> tuned = threads.submit(() -> {
                    work.fineTune(current.model(), current.satisfaction(), current.samples());
                    return null;
                });
                join(tuned);
                if (next != null) {
                    ready = join(next);
                }
                out.add(new Round(k, seconds(start), current.version(), next != null ? previous : -1, k));
            }
        } finally {
            threads.shutdownNow();
        }
        return out;
    }

    /** Samples the policy at {@code version} and fits R on the samples. */
    private static <M, D, R> Guide<M, D, R> guide(Work<M, D, R> work, int version) throws Exception {
        return guide(work, version, work.snapshot(version));
    }

    private static <M, D, R> Guide<M, D, R> guide(Work<M, D, R> work, int version, M model) throws Exception {
        D samples = work.sample(model);
        return new Guide<>(version, model, samples, work.fitSatisfaction(model, samples));
    }

    private static <T> T join(Future<T> f) throws Exception {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}

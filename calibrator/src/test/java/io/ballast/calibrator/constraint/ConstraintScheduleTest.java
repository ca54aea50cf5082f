package io.ballast.calibrator.constraint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The schedules' bookkeeping with a fake trainer: which model version each step read. */
class ConstraintScheduleTest {

    /** Models, samples and R are just the policy version they came from. */
    private static final class VersionCounting implements ConstraintSchedule.Work<Integer, Integer, Integer> {
        final AtomicInteger policy = new AtomicInteger();
        final List<List<Integer>> fineTunings = new CopyOnWriteArrayList<>();
        final List<Integer> fits = new CopyOnWriteArrayList<>();

        @Override
        public Integer snapshot(int version) {
            // a snapshot must be of the version the schedule believes the policy is at
            assertThat(policy.get()).isEqualTo(version);
            return version;
        }

        @Override
        public Integer sample(Integer model) {
            return model;
        }

        @Override
        public Integer fitSatisfaction(Integer model, Integer samples) {
            fits.add(samples);
            return samples;
        }

        @Override
        public void fineTune(Integer reference, Integer satisfaction, Integer samples) throws InterruptedException {
            Thread.sleep(5);
            fineTunings.add(List.of(reference, satisfaction, samples));
            policy.incrementAndGet();
        }
    }

    @Test
    void givenThreeSequentialRounds_whenRun_thenEachRoundFineTunesAgainstAnRFittedOnTheCurrentPolicy()
            throws Exception {
        // given
        VersionCounting work = new VersionCounting();

        // when
        List<ConstraintSchedule.Round> rounds = new ConstraintSchedule(ConstraintSchedule.Mode.SEQUENTIAL, 3).run(work);

        // then
        assertThat(work.fineTunings).containsExactly(List.of(0, 0, 0), List.of(1, 1, 1), List.of(2, 2, 2));
        assertThat(rounds).extracting(ConstraintSchedule.Round::guidedBy).containsExactly(0, 1, 2);
        assertThat(rounds).extracting(ConstraintSchedule.Round::policyAfter).containsExactly(1, 2, 3);
        assertThat(work.policy.get()).isEqualTo(3);
    }

    @Test
    void givenThreeParallelRounds_whenRun_thenRoundKFineTunesAgainstAnRFittedOnSamplesOfTheVersionTwoBefore()
            throws Exception {
        // given
        VersionCounting work = new VersionCounting();

        // when
        List<ConstraintSchedule.Round> rounds = new ConstraintSchedule(ConstraintSchedule.Mode.PARALLEL, 3).run(work);

        // then: a prologue fits R on p0; p1 and p2 learn from samples of p0, p3 from samples of p1
        assertThat(work.fineTunings).containsExactly(List.of(0, 0, 0), List.of(0, 0, 0), List.of(1, 1, 1));
        assertThat(rounds).extracting(ConstraintSchedule.Round::round).containsExactly(0, 1, 2, 3);
        assertThat(rounds).extracting(ConstraintSchedule.Round::guidedBy).containsExactly(-1, 0, 0, 1);
        assertThat(rounds).extracting(ConstraintSchedule.Round::fittedOn).containsExactly(0, 0, 1, -1);
        // and the last round fits no R that nothing would read
        assertThat(work.fits).containsExactly(0, 0, 1);
        assertThat(work.policy.get()).isEqualTo(3);
    }
}

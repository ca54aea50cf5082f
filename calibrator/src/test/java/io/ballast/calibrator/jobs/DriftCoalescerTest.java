package io.ballast.calibrator.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.schemas.CalibrationJobState;
import io.ballast.schemas.DriftSignal;
import io.ballast.schemas.DriftStatus;
import io.ballast.schemas.domain.Attribute;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

public class DriftCoalescerTest {

    @Test
    void openSignalsForTheLiveVersionBecomeOneJobPerModelAndNeverTwoAtOnce() {
        DriftCoalescer c = new DriftCoalescer(1000, 5000);
        c.accept(signal("s1", 3, "occupation:cooks", "gender", DriftStatus.OPEN), 3, 0);
        c.accept(signal("s2", 3, "occupation:cashiers", "gender", DriftStatus.OPEN), 3, 200);
        c.accept(signal("s3", 3, "occupation:cooks", "race", DriftStatus.OPEN), 3, 300);
        c.accept(signal("old", 2, "occupation:lawyers", "gender", DriftStatus.OPEN), 3, 300);

        // not yet: still coalescing
        assertThat(c.nextDue(500)).isEmpty();
        var job = c.nextDue(1000).orElseThrow();
        assertThat(job.baseVersion()).isEqualTo(3);
        assertThat(job.drifted()).containsOnlyKeys("occupation:cooks", "occupation:cashiers");
        assertThat(job.drifted().get("occupation:cooks")).containsExactly(Attribute.GENDER, Attribute.RACE);
        assertThat(job.driftSignalIds()).containsExactlyInAnyOrder("s1", "s2", "s3");

        // a new signal while the job runs waits for it, and then for the minimum interval
        c.accept(signal("s4", 3, "occupation:cooks", "sentiment", DriftStatus.OPEN), 3, 1100);
        assertThat(c.nextDue(3000)).isEmpty();
        c.finished("bios", 4000);
        assertThat(c.nextDue(5000)).isEmpty();
        assertThat(c.nextDue(9000)).isPresent();
    }

    @Test
    void aResolvedSignalWithdrawsItsContextAndTheSameSignalsGiveTheSameJobId() {
        DriftCoalescer c = new DriftCoalescer(0, 0);
        c.accept(signal("s1", 1, "occupation:cooks", "gender", DriftStatus.OPEN), null, 0);
        c.accept(signal("r1", 1, "occupation:cooks", "gender", DriftStatus.RESOLVED), null, 1);
        assertThat(c.nextDue(10)).isEmpty();
        assertThat(c.isIdle()).isTrue();

        assertThat(DriftCoalescer.jobId("bios", 1, List.of("b", "a")))
                .isEqualTo(DriftCoalescer.jobId("bios", 1, List.of("a", "b")))
                .isNotEqualTo(DriftCoalescer.jobId("bios", 1, List.of("a")));
    }

    @Test
    void givenAnOpenEpisode_whenItsVersionIsSuperseded_thenNoJobStartsAndASupersededSignalAloneStartsNone() {
        // given an open episode pending for version 1
        DriftCoalescer c = new DriftCoalescer(0, 0);
        c.accept(signal("s1", 1, "occupation:cooks", "gender", DriftStatus.OPEN), null, 0);

        // when the auditor closes it because version 1 stopped serving
        c.accept(signal("x1", 1, "occupation:cooks", "gender", DriftStatus.SUPERSEDED), null, 1);

        // then it is withdrawn like a resolved one: calibrating a version nobody serves is pointless
        assertThat(c.nextDue(10)).isEmpty();
        assertThat(c.isIdle()).isTrue();

        // and a SUPERSEDED signal with nothing pending (as re-read after a restart) starts no job either
        DriftCoalescer fresh = new DriftCoalescer(0, 0);
        fresh.accept(signal("x2", 1, "occupation:cooks", "gender", DriftStatus.SUPERSEDED), 1, 0);
        assertThat(fresh.nextDue(10)).isEmpty();
        assertThat(fresh.isIdle()).isTrue();
    }

    @Test
    void givenSignalsPendingForVersion1_whenVersion2GoesLiveBeforeTheyAreDue_thenNoJobStartsOnVersion1() {
        // given a job running for version 1, and more version 1 signals arriving meanwhile
        DriftCoalescer c = new DriftCoalescer(0, 0);
        c.accept(signal("s1", 1, "occupation:cooks", "gender", DriftStatus.OPEN), 1, 0);
        CalibrationJob.Request job = c.nextDue(1, m -> 1).orElseThrow();
        c.accept(signal("s2", 1, "occupation:cooks", "race", DriftStatus.OPEN), 1, 2);

        // when the job promotes version 2
        c.finished(job, CalibrationJobState.PROMOTED, List.of(), 3);

        // then the version 1 signals start nothing: version 1 no longer serves
        assertThat(c.nextDue(10, m -> 2)).isEmpty();
        assertThat(c.isIdle()).isTrue();
    }

    @Test
    void givenAnOpenEpisode_whenAPatchSupersedesItAndResolvesUnderThePatch_thenTheJobStillRuns() {
        // given an open episode pending for the live version 1
        DriftCoalescer c = new DriftCoalescer(0, 0);
        c.accept(signal("s1", 1, "occupation:cooks", "gender", DriftStatus.OPEN), 1, 0);

        // when a steering patch goes live on version 1: the unpatched episode is superseded, and the
        // patched variant's episode opens and resolves
        c.accept(signal("x1", 1, "occupation:cooks", "gender", DriftStatus.SUPERSEDED), 1, 1);
        DriftSignal patchedOpen = signal("p1", 1, "occupation:cooks", "gender", DriftStatus.OPEN);
        patchedOpen.setSteeringPatch("bios-1-p1");
        DriftSignal patchedResolved = signal("p2", 1, "occupation:cooks", "gender", DriftStatus.RESOLVED);
        patchedResolved.setSteeringPatch("bios-1-p1");
        c.accept(patchedOpen, 1, 2);
        c.accept(patchedResolved, 1, 3);

        // then the weights still drift: the job for version 1 runs on the cooks' gender
        assertThat(c.nextDue(10)).hasValueSatisfying(job -> {
            assertThat(job.baseVersion()).isEqualTo(1);
            assertThat(job.drifted()).containsOnlyKeys("occupation:cooks");
        });
    }

    @Test
    void
            givenAJobTheGateRejects_whenItEnds_thenItIsRetriedAfterABackoffUnderANewIdThenEscalatedAndANewEpisodeRearmsIt() {
        // given three attempts per drift, a 1 s first backoff, and one drifted context
        DriftCoalescer c = new DriftCoalescer(0, 0, new DriftCoalescer.RetryPolicy(3, 1000));
        c.accept(signal("s1", 1, "occupation:cooks", "gender", DriftStatus.OPEN), 1, 0);
        var first = c.nextDue(0).orElseThrow();

        // when the job is rejected, then the same contexts are due again after the backoff, as another job id
        assertThat(c.finished(first, CalibrationJobState.REJECTED, List.of("no improvement"), 10))
                .isEmpty();
        assertThat(c.isIdle()).isFalse();
        assertThat(c.nextDue(500)).isEmpty();
        var second = c.nextDue(1010).orElseThrow();
        assertThat(second.drifted()).isEqualTo(first.drifted());
        assertThat(second.driftSignalIds()).isEqualTo(first.driftSignalIds());
        assertThat(second.jobId()).isEqualTo(first.jobId() + "-retry1");
        assertThat(c.failedAttempts("bios")).isEqualTo(1);

        // the backoff doubles
        assertThat(c.finished(second, CalibrationJobState.FAILED, List.of("boom"), 2000))
                .isEmpty();
        assertThat(c.nextDue(3500)).isEmpty();
        var third = c.nextDue(4000).orElseThrow();
        assertThat(third.jobId()).isEqualTo(first.jobId() + "-retry2");

        // and the last failure escalates: nothing more is due, the coalescer is idle
        var escalation = c.finished(third, CalibrationJobState.REJECTED, List.of("still no improvement"), 5000)
                .orElseThrow();
        assertThat(escalation.attempts()).isEqualTo(3);
        assertThat(escalation.contexts()).containsExactly("occupation:cooks");
        assertThat(escalation.lastReasons()).containsExactly("still no improvement");
        assertThat(c.escalations()).hasSize(1);
        assertThat(c.nextDue(100_000)).isEmpty();
        assertThat(c.isIdle()).isTrue();

        // a signal it already saw does not re-arm it; a new episode does, starting again at attempt 1
        c.accept(signal("s1", 1, "occupation:cooks", "gender", DriftStatus.OPEN), 1, 100_001);
        assertThat(c.escalations()).hasSize(1);
        c.nextDue(100_001).ifPresent(job -> c.finished("bios", 100_002));
        c.accept(signal("s9", 1, "occupation:cooks", "gender", DriftStatus.OPEN), 1, 100_003);
        assertThat(c.escalations()).isEmpty();
        assertThat(c.nextDue(100_003).orElseThrow().jobId()).doesNotContain("retry");
    }

    @Test
    void givenAnEscalatedModel_whenATargetChanges_thenItIsRearmedAndAPromotionClearsFailures() {
        DriftCoalescer c = new DriftCoalescer(0, 0, new DriftCoalescer.RetryPolicy(1, 0));
        c.accept(signal("s1", 1, "occupation:cooks", "gender", DriftStatus.OPEN), 1, 0);
        var job = c.nextDue(0).orElseThrow();
        assertThat(c.finished(job, CalibrationJobState.FAILED, List.of("x"), 1)).isPresent();
        c.rearmAll();
        assertThat(c.escalations()).isEmpty();
        assertThat(c.failedAttempts("bios")).isZero();

        DriftCoalescer retrying = new DriftCoalescer(0, 0, new DriftCoalescer.RetryPolicy(3, 0));
        retrying.accept(signal("s2", 1, "occupation:cooks", "gender", DriftStatus.OPEN), 1, 0);
        var a = retrying.nextDue(0).orElseThrow();
        retrying.finished(a, CalibrationJobState.REJECTED, List.of(), 1);
        var b = retrying.nextDue(1).orElseThrow();
        assertThat(retrying.finished(b, CalibrationJobState.PROMOTED, List.of(), 2))
                .isEmpty();
        assertThat(retrying.failedAttempts("bios")).isZero();
        assertThat(retrying.isIdle()).isTrue();
    }

    @Test
    void givenASignalNeitherAboutAnAttributeNorABound_thenItIsSkipped_andStartsNoJob() {
        // given a coalescer, when the auditor signals something the calibrator has no job for, opening and ending
        DriftCoalescer c = new DriftCoalescer(0, 0);
        c.accept(signal("v1", 1, "occupation:cooks", "verbosity", DriftStatus.OPEN), 1, 0);
        c.accept(signal("v2", 1, "occupation:cooks", "verbosity", DriftStatus.RESOLVED), 1, 1);

        // then nothing fails and no job is due
        assertThat(c.nextDue(10)).isEmpty();
        assertThat(c.isIdle()).isTrue();
    }

    @Test
    void givenOpenToxicityBoundSignals_whenDue_thenOneConstraintJobOverTheirContextsCarriesTheBound() {
        // given two contexts breaking the toxicity bound on the live version, one of an older version
        DriftCoalescer c = new DriftCoalescer(1000, 0);
        c.accept(boundSignal("t1", 2, "occupation:cooks", DriftStatus.OPEN), 2, 0);
        c.accept(boundSignal("t2", 2, "occupation:cashiers", DriftStatus.OPEN), 2, 300);
        c.accept(boundSignal("old", 1, "occupation:lawyers", DriftStatus.OPEN), 2, 300);

        // when the coalescing window has passed
        assertThat(c.nextDue(500)).isEmpty();
        CalibrationJob.Request job = c.nextDue(1000).orElseThrow();

        // then it is a constraint job on both contexts, naming the bound and the signals
        assertThat(job.isConstraint()).isTrue();
        assertThat(job.bound()).isEqualTo(new CalibrationJob.Bound("toxicity", "toxic", 0.005));
        assertThat(job.baseVersion()).isEqualTo(2);
        assertThat(job.drifted()).containsOnlyKeys("occupation:cooks", "occupation:cashiers");
        assertThat(job.driftSignalIds()).containsExactlyInAnyOrder("t1", "t2");
        assertThat(c.isIdle()).isFalse();
    }

    @Test
    void givenBoundAndDistributionDriftPending_thenTheConstraintJobRunsFirstAndTheOtherWaitsForIt() {
        // given distribution drift and a broken bound on the same version
        DriftCoalescer c = new DriftCoalescer(0, 0);
        c.accept(signal("g1", 1, "occupation:cooks", "gender", DriftStatus.OPEN), 1, 0);
        c.accept(boundSignal("t1", 1, "occupation:cooks", DriftStatus.OPEN), 1, 0);

        // when jobs come due
        CalibrationJob.Request first = c.nextDue(1, m -> 1).orElseThrow();

        // then the constraint job comes first, and no second job starts while it runs
        assertThat(first.isConstraint()).isTrue();
        assertThat(c.nextDue(2, m -> 1)).isEmpty();
        c.finished(first, CalibrationJobState.REJECTED, List.of(), 3);
        // with the constraint job ended (no retries), the distribution job follows
        CalibrationJob.Request second = c.nextDue(4, m -> 1).orElseThrow();
        assertThat(second.isConstraint()).isFalse();
        assertThat(second.drifted()).containsKey("occupation:cooks");
    }

    @Test
    void givenARejectedConstraintJob_whenRetried_thenTheRetryCoversItsContextsAndThoseThatAlarmedMeanwhile() {
        // given a constraint job that the gate rejected, with retries allowed
        DriftCoalescer c = new DriftCoalescer(0, 0, new DriftCoalescer.RetryPolicy(2, 0));
        c.accept(boundSignal("t1", 1, "occupation:cooks", DriftStatus.OPEN), 1, 0);
        CalibrationJob.Request job = c.nextDue(0).orElseThrow();

        // when another context alarms while it runs, it ends REJECTED, and the next job comes due
        c.accept(boundSignal("t2", 1, "occupation:cashiers", DriftStatus.OPEN), 1, 1);
        c.finished(job, CalibrationJobState.REJECTED, List.of("rate too high"), 1);
        CalibrationJob.Request retry = c.nextDue(2).orElseThrow();

        // then the retry is a constraint job on the same bound, over its contexts and the late one
        assertThat(retry.isConstraint()).isTrue();
        assertThat(retry.bound()).isEqualTo(job.bound());
        assertThat(retry.drifted()).containsOnlyKeys("occupation:cooks", "occupation:cashiers");
        assertThat(retry.jobId()).endsWith("-retry1");
    }

    @Test
    void givenAPendingBoundEpisode_whenItResolves_thenItsContextIsWithdrawn() {
        DriftCoalescer c = new DriftCoalescer(1000, 0);
        c.accept(boundSignal("t1", 1, "occupation:cooks", DriftStatus.OPEN), 1, 0);
        c.accept(boundSignal("r1", 1, "occupation:cooks", DriftStatus.RESOLVED), 1, 1);

        assertThat(c.nextDue(5000)).isEmpty();
        assertThat(c.isIdle()).isTrue();
    }

    /** An episode of toxicity against the bound 'toxic <= 0.005', as the auditor writes it. */
    static DriftSignal boundSignal(String id, int version, String context, DriftStatus status) {
        return DriftSignal.newBuilder()
                .setSignalId(id)
                .setEpisodeId("e-" + id)
                .setStatus(status)
                .setModelId("bios")
                .setModelVersion(version)
                .setContextKey(context)
                .setAttribute("toxicity")
                .setN(400)
                .setObserved(Map.of("toxic", 0.05, "non-toxic", 0.95))
                .setTarget(Map.of("toxic", 0.005))
                .setTolerance(0)
                .setIntervals(Map.of())
                .setViolatingCategories(List.of("toxic"))
                .setMae(0.045)
                .setAlpha(0.01)
                .setOpenedAt(Instant.EPOCH)
                .setEmittedAt(Instant.EPOCH)
                .setBound(0.005)
                .build();
    }

    /** A drift signal about model {@code bios}, as the auditor writes one. */
    public static DriftSignal signal(String id, int version, String context, String attribute, DriftStatus status) {
        return DriftSignal.newBuilder()
                .setSignalId(id)
                .setEpisodeId("e-" + id)
                .setStatus(status)
                .setModelId("bios")
                .setModelVersion(version)
                .setContextKey(context)
                .setAttribute(attribute)
                .setN(100)
                .setObserved(Map.of())
                .setTarget(Map.of())
                .setTolerance(0.08)
                .setIntervals(Map.of())
                .setMae(0.3)
                .setAlpha(0.01)
                .setOpenedAt(Instant.EPOCH)
                .setEmittedAt(Instant.EPOCH)
                .build();
    }
}

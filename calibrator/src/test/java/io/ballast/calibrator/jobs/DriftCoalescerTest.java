package io.ballast.calibrator.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.schemas.DriftSignal;
import io.ballast.schemas.DriftStatus;
import io.ballast.schemas.domain.Attribute;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriftCoalescerTest {

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

        assertThat(DriftCoalescer.jobId("bios", 1, List.of("b", "a"))).isEqualTo(DriftCoalescer.jobId("bios", 1, List.of("a", "b")))
                .isNotEqualTo(DriftCoalescer.jobId("bios", 1, List.of("a")));
    }

    private static DriftSignal signal(String id, int version, String context, String attribute, DriftStatus status) {
        return DriftSignal.newBuilder().setSignalId(id).setEpisodeId("e-" + id).setStatus(status).setModelId("bios")
                .setModelVersion(version).setContextKey(context).setAttribute(attribute).setN(100)
                .setObserved(Map.of()).setTarget(Map.of()).setTolerance(0.08).setIntervals(Map.of()).setMae(0.3).setAlpha(0.01)
                .setOpenedAt(Instant.EPOCH).setEmittedAt(Instant.EPOCH).build();
    }
}

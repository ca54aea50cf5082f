package io.ballast.calibrator.steering;

import static io.ballast.calibrator.jobs.DriftCoalescerTest.signal;
import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.schemas.DriftStatus;
import io.ballast.schemas.domain.Attribute;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SteeringPatcherTest {

    private static final String NURSES = "occupation:registered-nurses";
    private static final String COOKS = "occupation:cooks";

    @Test
    void givenTwoAlarmsWithinTheSettleTime_thenOnePatchCoversBothOnceTheFirstIsOldEnough() {
        // given a patcher that lets alarms settle for 2 s, and two alarms 1 s apart on live version 1
        SteeringPatcher p = new SteeringPatcher(2_000);
        p.accept(signal("a", 1, NURSES, "gender", DriftStatus.OPEN), 1, 0);
        p.accept(signal("b", 1, COOKS, "race", DriftStatus.OPEN), 1, 1_000);

        // then nothing is due before the first is 2 s old, and then one patch for both
        assertThat(p.nextDue(1_999, m -> 1)).isEmpty();
        var due = p.nextDue(2_000, m -> 1);
        assertThat(due).hasValueSatisfying(r -> {
            assertThat(r.version()).isEqualTo(1);
            assertThat(r.drifted())
                    .isEqualTo(Map.of(NURSES, List.of(Attribute.GENDER), COOKS, List.of(Attribute.RACE)));
            assertThat(r.driftSignalIds()).containsExactly("a", "b");
        });
        // and while it is fitted, no second one starts
        assertThat(p.nextDue(10_000, m -> 1)).isEmpty();
    }

    @Test
    void givenAPatchBeingFitted_whenANewContextOpens_thenTheNextPatchCoversEveryContextAndCoveredAlarmsStartNothing() {
        // given a patch being fitted for the nurses' gender
        SteeringPatcher p = new SteeringPatcher(0);
        p.accept(signal("a", 1, NURSES, "gender", DriftStatus.OPEN), 1, 0);
        var first = p.nextDue(0, m -> 1).orElseThrow();

        // when the cooks' sentiment opens meanwhile and the fit ends
        p.accept(signal("b", 1, COOKS, "sentiment", DriftStatus.OPEN), 1, 5);
        p.finished(first, 10);

        // then the next patch covers both pairs (it replaces the first, it does not stack on it)
        var second = p.nextDue(10, m -> 1).orElseThrow();
        assertThat(second.drifted()).containsOnlyKeys(NURSES, COOKS);
        p.finished(second, 20);
        // and an alarm in a covered context (the patched variant's own episode, or another attribute whose
        // evidence came later: the patch steers every attribute there) starts nothing
        p.accept(signal("c", 1, NURSES, "gender", DriftStatus.OPEN), 1, 30);
        p.accept(signal("e", 1, NURSES, "race", DriftStatus.OPEN), 1, 31);
        assertThat(p.nextDue(100, m -> 1)).isEmpty();
        // and neither does a resolved or superseded signal
        p.accept(signal("d", 1, COOKS, "race", DriftStatus.SUPERSEDED), 1, 40);
        assertThat(p.nextDue(100, m -> 1)).isEmpty();
    }

    @Test
    void givenAnAlarmForVersion1_whenVersion2IsLiveBeforeItIsDue_thenNoPatchIsFittedForTheOldVersion() {
        // given an alarm on version 1
        SteeringPatcher p = new SteeringPatcher(1_000);
        p.accept(signal("a", 1, NURSES, "gender", DriftStatus.OPEN), 1, 0);

        // when version 2 goes live before the alarm settled
        // then no patch is due for version 1
        assertThat(p.nextDue(5_000, m -> 2)).isEmpty();
        // and alarms of version 1 read after that are stale
        p.accept(signal("b", 1, COOKS, "gender", DriftStatus.OPEN), 2, 6_000);
        assertThat(p.nextDue(10_000, m -> 2)).isEmpty();
        // while version 2 starts unpatched: its alarm makes a patch of its own
        p.accept(signal("c", 2, NURSES, "gender", DriftStatus.OPEN), 2, 11_000);
        assertThat(p.nextDue(12_000, m -> 2))
                .hasValueSatisfying(r -> assertThat(r.version()).isEqualTo(2));
    }
}

package io.ballast.calibrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.schemas.CalibrationJobEvent;
import io.ballast.schemas.CalibrationJobState;
import io.ballast.schemas.topics.BallastTopic;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real broker (registry in memory): the calibrator judges drift signals against the live
 * version only after it has read every model update, so a signal for a replaced version never
 * starts a job, however long the update topic takes to read.
 */
class CalibratorCatchUpIT {

    @Test
    void givenAStaleSignalBehindALongUpdateHistory_whenTheCalibratorStarts_thenOnlyTheLiveVersionsSignalStartsAJob(
            @TempDir Path dir) throws Exception {
        try (CalibratorOnABroker kafka = new CalibratorOnABroker(dir)) {
            // given a long history of updates announcing v1, then v2 announced as live, and an open signal still about
            // v1
            for (int i = 0; i < 200_000; i++) {
                kafka.sendWithoutWaiting(BallastTopic.MODEL_UPDATES, "bios", CalibratorOnABroker.update(1));
            }
            kafka.send(BallastTopic.MODEL_UPDATES, "bios", CalibratorOnABroker.update(2));
            kafka.send(BallastTopic.DRIFT, "stale", CalibratorOnABroker.openSignal("sig-v1", 1));

            // when the calibrator starts, and once it runs a signal about the live version arrives
            try (CalibratorApp calibrator = kafka.start(Map.of())) {
                kafka.send(BallastTopic.DRIFT, "live", CalibratorOnABroker.openSignal("sig-v2", 2));
                // then the one job queued is based on v2 (the stale v1 signal was ignored); it fails, having no model
                List<CalibrationJobEvent> events = kafka.jobEventsUntil(
                        e -> e.getBaseVersion() == 2 && e.getState() == CalibrationJobState.FAILED);
                assertThat(events)
                        .filteredOn(e -> e.getState() == CalibrationJobState.QUEUED)
                        .extracting(CalibrationJobEvent::getBaseVersion)
                        .containsExactly(2);
            }
        }
    }
}

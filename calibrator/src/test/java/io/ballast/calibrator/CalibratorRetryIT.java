package io.ballast.calibrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.schemas.CalibrationJobEvent;
import io.ballast.schemas.CalibrationJobState;
import io.ballast.schemas.topics.BallastTopic;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real broker (registry in memory): a drift whose jobs keep failing is retried, then escalated
 * to the operator, visibly on the job topic, in the metrics and in {@code /api/escalations}.
 */
class CalibratorRetryIT {

    @Test
    void givenAJobThatCannotSucceed_whenItFails_thenItIsRetriedThenEscalatedAndTheMetricsShowIt(@TempDir Path dir)
            throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (CalibratorOnABroker kafka = new CalibratorOnABroker(dir)) {
            // given a calibrator allowing two attempts per drift and an empty model store (every job fails)
            try (CalibratorApp calibrator = kafka.start(
                    Map.of(CalibratorConfig.MAX_ATTEMPTS, "2", CalibratorConfig.RETRY_BACKOFF_SECONDS, "0"))) {
                String metricsBefore = get(http, calibrator, "/metrics");
                // when a drift signal arrives
                kafka.send(BallastTopic.DRIFT, "nurses", CalibratorOnABroker.openSignal("sig-1", 1));
                List<CalibrationJobEvent> events =
                        kafka.jobEventsUntil(e -> e.getState() == CalibrationJobState.ESCALATED);

                // then the job ran twice (the retry under its own id) and the drift was escalated
                assertThat(events)
                        .extracting(CalibrationJobEvent::getState)
                        .containsExactly(
                                CalibrationJobState.QUEUED,
                                CalibrationJobState.FAILED,
                                CalibrationJobState.QUEUED,
                                CalibrationJobState.FAILED,
                                CalibrationJobState.ESCALATED);
                assertThat(events.get(2).getJobId()).isEqualTo(events.get(0).getJobId() + "-retry1");
                assertThat(events.get(4).getContexts()).containsExactly("occupation:registered-nurses");
                // and the counters existed at 0 before the first failure, and show it after
                assertThat(metricsBefore)
                        .contains("ballast_calibrator_jobs_total{outcome=\"failed\"} 0.0")
                        .contains("ballast_calibrator_jobs_total{outcome=\"rejected\"} 0.0")
                        .contains("ballast_calibrator_escalated_models 0.0");
                String metricsAfter = get(http, calibrator, "/metrics");
                assertThat(metricsAfter)
                        .contains("ballast_calibrator_jobs_total{outcome=\"failed\"} 2.0")
                        .contains("ballast_calibrator_escalated_models 1.0");
                assertThat(get(http, calibrator, "/api/escalations"))
                        .contains("\"modelId\":\"bios\"")
                        .contains("\"attempts\":2");
            }
        }
    }

    private static String get(HttpClient http, CalibratorApp calibrator, String path) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + calibrator.httpPort() + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }
}

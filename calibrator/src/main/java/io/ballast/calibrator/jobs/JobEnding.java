package io.ballast.calibrator.jobs;

import io.ballast.calibrator.training.TrainingCancelledException;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.store.ArtifactMetadata;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.generator.store.ModelStore;
import io.ballast.schemas.CalibrationJobEvent;
import io.ballast.schemas.CalibrationJobState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every fine-tuning job ends, whatever it trained: a gate that failed is REJECTED with its
 * reasons; one that passed publishes the candidate as the next version with its lineage (parent,
 * job, signals, the gate's figures) and is PROMOTED; an exception is FAILED. The distribution and
 * the constraint job share it so that their events and lineage read the same.
 */
final class JobEnding {

    private static final Logger log = LoggerFactory.getLogger(JobEnding.class);

    /** What the ending decided; {@code candidate} is set only when PROMOTED. */
    record Verdict(CalibrationJobState state, ModelArtifact candidate, List<String> reasons) {}

    /** A job's body, which may throw. */
    @FunctionalInterface
    interface Body {
        CalibrationJob.Outcome run() throws Exception;
    }

    private final ModelStore store;
    private final CalibrationJob.Lifecycle lifecycle;

    JobEnding(ModelStore store, CalibrationJob.Lifecycle lifecycle) {
        this.store = store;
        this.lifecycle = lifecycle;
    }

    /**
     * Runs a job's body: an exception ends it FAILED (one event, the outcome says why).
     *
     * @throws TrainingCancelledException when the thread is interrupted during training: not a
     *     failure (no event), the job resumes from its checkpoint when it runs again
     */
    static CalibrationJob.Outcome guarded(
            CalibrationJob.Request request, String method, CalibrationJob.Lifecycle lifecycle, Body body) {
        try {
            return body.run();
        } catch (TrainingCancelledException e) {
            log.info("calibration job {} stopped: {}", request.jobId(), e.getMessage());
            throw e;
        } catch (Exception e) {
            log.error("calibration job {} failed", request.jobId(), e);
            lifecycle.publish(event(request, method, CalibrationJobState.FAILED)
                    .setReasons(List.of(String.valueOf(e)))
                    .build());
            return new CalibrationJob.Outcome(CalibrationJobState.FAILED, null, null, List.of(String.valueOf(e)));
        }
    }

    /**
     * The gate's verdict: with failures REJECTED, else the trained model published to the store as
     * the next version after {@code base} and PROMOTED.
     */
    Verdict end(
            CalibrationJob.Request request,
            String method,
            ModelArtifact base,
            LanguageModel trained,
            List<String> failures,
            Map<String, Double> metrics,
            String description)
            throws Exception {
        if (!failures.isEmpty()) {
            lifecycle.publish(event(request, method, CalibrationJobState.REJECTED)
                    .setReasons(failures)
                    .setMetrics(metrics)
                    .build());
            return new Verdict(CalibrationJobState.REJECTED, null, failures);
        }
        ModelArtifact candidate = trained.publishTo(
                store,
                new ArtifactMetadata.Lineage(
                        base.version(), request.jobId(), request.driftSignalIds(), metrics, description));
        lifecycle.publish(event(request, method, CalibrationJobState.PROMOTED)
                .setCandidateVersion(candidate.version())
                .setMetrics(metrics)
                .build());
        return new Verdict(CalibrationJobState.PROMOTED, candidate, List.of());
    }

    /** An event of the job in {@code state}, naming its method. */
    static CalibrationJobEvent.Builder event(CalibrationJob.Request r, String method, CalibrationJobState state) {
        return CalibrationJobEvent.newBuilder()
                .setJobId(r.jobId())
                .setModelId(r.modelId())
                .setBaseVersion(r.baseVersion())
                .setState(state)
                .setContexts(new ArrayList<>(r.drifted().keySet()))
                .setDriftSignalIds(r.driftSignalIds())
                .setMethod(method)
                .setAt(Instant.now());
    }
}

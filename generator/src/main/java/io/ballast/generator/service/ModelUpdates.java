package io.ballast.generator.service;

import io.ballast.generator.store.ModelArtifact;
import io.ballast.generator.store.SteeringPatch;
import io.ballast.schemas.ModelAction;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.SteeringPatchRef;
import io.ballast.schemas.topics.BallastTopic;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Announces which version (and steering patch) generators must serve: the calibrator patches and
 * promotes, operators roll back.
 */
public final class ModelUpdates {

    private ModelUpdates() {}

    public static ModelUpdate of(ModelArtifact artifact, ModelAction action) {
        return ModelUpdate.newBuilder()
                .setModelId(artifact.modelId())
                .setAction(action)
                .setVersion(artifact.version())
                .setArtifactUri(artifact.uri().toString())
                .setSha256(artifact.sha256())
                .setParentVersion(artifact.metadata().parentVersion())
                .setJobId(artifact.metadata().jobId())
                .setDriftSignalIds(
                        artifact.metadata().driftSignalIds() == null
                                ? List.of()
                                : artifact.metadata().driftSignalIds())
                .setAt(Instant.now())
                .build();
    }

    /**
     * The version {@code artifact} keeps serving, with {@code patch} on it (null retires the patch):
     * action PATCH. Like every update it states the whole serving state, so it is what a generator
     * starting later reads from the compacted topic.
     */
    public static ModelUpdate patched(ModelArtifact artifact, SteeringPatch patch) {
        ModelUpdate base = of(artifact, ModelAction.PATCH);
        base.setPatch(
                patch == null
                        ? null
                        : SteeringPatchRef.newBuilder()
                                .setPatchId(patch.patchId())
                                .setArtifactUri(patch.uri().toString())
                                .setSha256(patch.sha256())
                                .setDriftSignalIds(patch.contents().driftSignalIds())
                                .build());
        return base;
    }

    /** Sends the update keyed by model id and waits for the broker's acknowledgement. */
    public static void announce(Producer<String, ModelUpdate> producer, ModelUpdate update) throws Exception {
        producer.send(new ProducerRecord<>(BallastTopic.MODEL_UPDATES.topicName(), update.getModelId(), update))
                .get(30, TimeUnit.SECONDS);
    }
}

package io.ballast.generator.service;

import io.ballast.generator.store.ModelArtifact;
import io.ballast.schemas.ModelAction;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.topics.BallastTopic;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Announces which version generators must serve: the calibrator promotes, operators roll back. */
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

    /** Sends the update keyed by model id and waits for the broker's acknowledgement. */
    public static void announce(Producer<String, ModelUpdate> producer, ModelUpdate update) throws Exception {
        producer.send(new ProducerRecord<>(BallastTopic.MODEL_UPDATES.topicName(), update.getModelId(), update))
                .get(30, TimeUnit.SECONDS);
    }
}

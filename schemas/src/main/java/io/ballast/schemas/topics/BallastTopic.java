package io.ballast.schemas.topics;

import io.ballast.schemas.CalibrationJobEvent;
import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.DistributionSnapshot;
import io.ballast.schemas.DriftSignal;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.TargetDistribution;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every topic Ballast reads or writes: its name, value contract, key, partitions and configs. Keys
 * are plain UTF-8 strings; values are Avro in the Confluent wire format.
 */
public enum BallastTopic {
    GENERATIONS(
            "ballast.generations",
            GenerationEvent.class,
            "contextKey",
            6,
            Map.of("cleanup.policy", "delete", "retention.ms", days(7))),
    TARGETS(
            "ballast.targets",
            TargetDistribution.class,
            "<attribute>|<contextKey or *>",
            1,
            Map.of("cleanup.policy", "compact")),
    DISTRIBUTIONS(
            "ballast.distributions",
            DistributionSnapshot.class,
            "<modelId>|<version>|<contextKey>|<attribute>",
            6,
            Map.of("cleanup.policy", "delete", "retention.ms", days(7))),
    DRIFT(
            "ballast.drift",
            DriftSignal.class,
            "<modelId>|<contextKey>|<attribute>",
            3,
            Map.of("cleanup.policy", "delete", "retention.ms", days(30))),
    CALIBRATION_JOBS(
            "ballast.calibration-jobs",
            CalibrationJobEvent.class,
            "jobId",
            1,
            Map.of("cleanup.policy", "delete", "retention.ms", days(30))),
    MODEL_UPDATES("ballast.model-updates", ModelUpdate.class, "modelId", 1, Map.of("cleanup.policy", "compact")),
    DLQ(
            "ballast.dlq",
            DeadLetter.class,
            "source topic",
            1,
            Map.of("cleanup.policy", "delete", "retention.ms", days(30)));

    private final String topicName;
    private final Class<? extends SpecificRecord> valueType;
    private final String key;
    private final int partitions;
    private final Map<String, String> configs;

    BallastTopic(
            String topicName,
            Class<? extends SpecificRecord> valueType,
            String key,
            int partitions,
            Map<String, String> configs) {
        this.topicName = topicName;
        this.valueType = valueType;
        this.key = key;
        this.partitions = partitions;
        this.configs = configs;
    }

    public String topicName() {
        return topicName;
    }

    public Class<? extends SpecificRecord> valueType() {
        return valueType;
    }

    /** What the record key holds, for documentation and the topic table in docs/auditing.md. */
    public String keyDescription() {
        return key;
    }

    public int partitions() {
        return partitions;
    }

    public Map<String, String> configs() {
        return configs;
    }

    /** The registry subject of the value schema (Confluent's TopicNameStrategy). */
    public String valueSubject() {
        return topicName + "-value";
    }

    private static String days(int d) {
        return String.valueOf(d * 24L * 3600 * 1000);
    }
}

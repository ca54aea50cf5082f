package io.ballast.auditor.topology;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Where an output is counted: every (model version, context) is counted by the task of the
 * partition its context key hashes to, as Kafka's default partitioner places a record keyed by
 * its context (what Ballast's generators do). Such a record is already in the right task and is
 * counted where it was read; a record a producer keyed otherwise is sent through the
 * {@code observed-events} repartition topic to that partition, which the same task also reads.
 * Counts are exact either way, and our own records pay no repartition round trip (under
 * exactly-once a repartitioned record is only read after the transaction that wrote it commits).
 */
public final class ContextRouting {

    private final int partitions;

    /** @param partitions the partition count of {@code ballast.generations} (and so of the repartition topic) */
    public ContextRouting(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        this.partitions = partitions;
    }

    /** The partition whose task counts this context: Kafka's default partitioner for a UTF-8 string key. */
    public static int partitionOf(String contextKey, int partitions) {
        return Utils.toPositive(Utils.murmur2(contextKey.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Places repartitioned records as {@link #partitionOf}, and refuses to count in the wrong task if the topic was resized. */
    StreamPartitioner<String, ObservedEvent> partitioner() {
        return (topic, contextKey, event, numPartitions) -> {
            if (numPartitions != partitions) {
                throw new IllegalStateException(
                        topic + " has " + numPartitions + " partitions, the auditor was started for " + partitions
                                + ": restart it so that every context is counted by one task");
            }
            return Optional.of(Set.of(partitionOf(contextKey, numPartitions)));
        };
    }
}

package io.ballast.schemas.targets;

import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.topics.BallastTopic;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Writes targets to the compacted {@code ballast.targets}; auditors pick them up without restart. */
public final class TargetPublisher {

    private TargetPublisher() {
    }

    /** Publishes with a producer of its own, closed afterwards. */
    public static int publish(String bootstrapServers, String registryUrl, List<TargetDistribution> targets) throws Exception {
        try (Producer<String, TargetDistribution> producer = new org.apache.kafka.clients.producer.KafkaProducer<>(java.util.Map.of(
                org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                org.apache.kafka.clients.producer.ProducerConfig.ACKS_CONFIG, "all"),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new io.ballast.schemas.serde.AvroSerializer<>(io.ballast.schemas.registry.SchemaRegistryClient.shared(registryUrl), true, false))) {
            return publish(producer, targets);
        }
    }

    public static int publish(Producer<String, TargetDistribution> producer, List<TargetDistribution> targets) throws Exception {
        List<Future<RecordMetadata>> acks = targets.stream().map(t -> producer.send(new ProducerRecord<>(
                BallastTopic.TARGETS.topicName(), TargetKey.of(t.getAttribute(), t.getContextKey()), t))).toList();
        for (Future<RecordMetadata> ack : acks) {
            ack.get(30, TimeUnit.SECONDS);
        }
        return acks.size();
    }
}

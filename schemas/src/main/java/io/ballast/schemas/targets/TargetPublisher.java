package io.ballast.schemas.targets;

import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.registry.SchemaRegistry;
import io.ballast.schemas.serde.AvroSerializer;
import io.ballast.schemas.topics.BallastTopic;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes targets to the compacted {@code ballast.targets}; auditors pick them up without restart. */
public final class TargetPublisher {

    private TargetPublisher() {}

    /** Publishes with a producer of its own, closed afterwards. */
    public static int publish(String bootstrapServers, String registryUrl, List<TargetDistribution> targets)
            throws Exception {
        try (Producer<String, TargetDistribution> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(),
                new AvroSerializer<>(SchemaRegistry.forUrl(registryUrl), true, false))) {
            return publish(producer, targets);
        }
    }

    public static int publish(Producer<String, TargetDistribution> producer, List<TargetDistribution> targets)
            throws Exception {
        List<Future<RecordMetadata>> acks = targets.stream()
                .map(t -> producer.send(new ProducerRecord<>(
                        BallastTopic.TARGETS.topicName(), TargetKey.of(t.getAttribute(), t.getContextKey()), t)))
                .toList();
        for (Future<RecordMetadata> ack : acks) {
            ack.get(30, TimeUnit.SECONDS);
        }
        return acks.size();
    }
}

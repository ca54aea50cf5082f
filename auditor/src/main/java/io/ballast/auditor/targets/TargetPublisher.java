package io.ballast.auditor.targets;

import io.ballast.auditor.topology.TargetLookup;
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

    public static int publish(Producer<String, TargetDistribution> producer, List<TargetDistribution> targets) throws Exception {
        List<Future<RecordMetadata>> acks = targets.stream().map(t -> producer.send(new ProducerRecord<>(
                BallastTopic.TARGETS.topicName(), TargetLookup.key(t.getAttribute(), t.getContextKey()), t))).toList();
        for (Future<RecordMetadata> ack : acks) {
            ack.get(30, TimeUnit.SECONDS);
        }
        return acks.size();
    }
}

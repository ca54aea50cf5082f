package io.ballast.calibrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.embedded.EmbeddedKafkaBroker;
import io.ballast.schemas.topics.BallastTopic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On a real broker: the calibrator never sees a drift signal whose transaction was aborted. */
class DriftConsumerIT {

    @Test
    void givenASignalInAnAbortedTransaction_whenTheCalibratorReadsDrift_thenOnlyCommittedSignalsArrive(
            @TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.onFreePorts(dir).start()) {
            String topic = BallastTopic.DRIFT.topicName();
            try (Admin admin =
                    Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                        .all()
                        .get();
            }
            // given one signal in an aborted transaction (an auditor that crashed mid-commit), then one committed
            try (KafkaProducer<String, String> auditor = new KafkaProducer<>(
                    Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            broker.bootstrapServers(),
                            ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                            "auditor-test"),
                    new StringSerializer(),
                    new StringSerializer())) {
                auditor.initTransactions();
                auditor.beginTransaction();
                auditor.send(new ProducerRecord<>(topic, "k", "aborted")).get();
                auditor.abortTransaction();
                auditor.beginTransaction();
                auditor.send(new ProducerRecord<>(topic, "k", "committed")).get();
                auditor.commitTransaction();
            }
            // when the calibrator's drift consumer reads the topic
            List<String> seen = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> drift = new KafkaConsumer<>(
                    CalibratorApp.driftConsumerConfig(broker.bootstrapServers(), "calibrator-test"),
                    new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                drift.subscribe(List.of(topic));
                long deadline = System.currentTimeMillis() + 20_000;
                while (!seen.contains("committed") && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : drift.poll(Duration.ofMillis(200))) {
                        seen.add(new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
            }
            // then the aborted signal never arrives
            assertThat(seen).containsExactly("committed");
        }
    }
}

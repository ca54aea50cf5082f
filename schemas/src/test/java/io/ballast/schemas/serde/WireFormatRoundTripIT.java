package io.ballast.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.embedded.LocalCluster;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SampleEvents;
import io.ballast.schemas.registry.SchemaRegistryClient;
import io.ballast.schemas.topics.BallastTopic;
import io.ballast.schemas.topics.TopicProvisioner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class WireFormatRoundTripIT {

    private static final int EVENTS = 10_000;

    @Test
    void tenThousandEventsGoThroughTheBrokerAndComeBackEqualUnderOneRegisteredVersionThatSurvivesARegistryRestart() {
        // given a real broker and registry, Ballast's topics, and a serde configured only by URL
        LocalCluster cluster = LocalCluster.shared();
        new TopicProvisioner(cluster.bootstrapServers(), (short) 1).ensureAll();
        String topic = BallastTopic.GENERATIONS.topicName();
        Map<String, Object> serdeConfig = Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, cluster.registryUrl());

        List<GenerationEvent> sent = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            sent.add(SampleEvents.generation(i));
        }

        // when they are produced and consumed through the serde
        long callsAfterFirstRecord;
        SchemaRegistryClient shared = SchemaRegistryClient.shared(cluster.registryUrl());
        try (KafkaProducer<String, GenerationEvent> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                AvroSerializer.class,
                AvroSerdeConfig.SCHEMA_REGISTRY_URL,
                cluster.registryUrl()))) {
            producer.send(new ProducerRecord<>(topic, sent.get(0).getContextKey(), sent.get(0)));
            callsAfterFirstRecord = shared.httpCalls();
            for (GenerationEvent e : sent.subList(1, EVENTS)) {
                producer.send(new ProducerRecord<>(topic, e.getContextKey(), e));
            }
            producer.flush();
        }
        long callsAfterAllRecords = shared.httpCalls();

        AvroDeserializer<GenerationEvent> deserializer = new AvroDeserializer<>(GenerationEvent.class);
        deserializer.configure(serdeConfig, false);
        List<GenerationEvent> received = new ArrayList<>();
        try (KafkaConsumer<String, GenerationEvent> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        cluster.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "roundtrip-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new StringDeserializer(),
                deserializer)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 60_000;
            while (received.size() < EVENTS && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, GenerationEvent> r : consumer.poll(Duration.ofMillis(500))) {
                    assertThat(r.key()).isEqualTo(r.value().getContextKey());
                    received.add(r.value());
                }
            }
        }

        // then every event comes back equal (order is per partition, so compare as sets)
        assertThat(received).hasSize(EVENTS).containsExactlyInAnyOrderElementsOf(sent);
        // and the hot path made no registry call after the first record
        assertThat(callsAfterAllRecords).isEqualTo(callsAfterFirstRecord);

        // and the registry holds exactly one version under the value subject
        SchemaRegistryClient fresh = new SchemaRegistryClient(cluster.registryUrl());
        String subject = BallastTopic.GENERATIONS.valueSubject();
        assertThat(fresh.versions(subject)).containsExactly(1);
        int idBefore = fresh.lookup(subject, GenerationEvent.getClassSchema()).orElseThrow();

        // when the registry restarts
        cluster.registry().stop();
        cluster.registry().start();

        // then the same schema has the same id, and registering again is a no-op
        SchemaRegistryClient afterRestart = new SchemaRegistryClient(cluster.registryUrl());
        assertThat(afterRestart.lookup(subject, GenerationEvent.getClassSchema()))
                .hasValue(idBefore);
        assertThat(afterRestart.register(subject, GenerationEvent.getClassSchema()))
                .isEqualTo(idBefore);
        assertThat(afterRestart.versions(subject)).containsExactly(1);
        assertThat(afterRestart.globalCompatibility()).isEqualTo("BACKWARD");
    }
}

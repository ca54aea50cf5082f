package io.ballast.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.embedded.LocalCluster;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

class TopicProvisionerIT {

    @Test
    void provisioningTwiceCreatesEveryTopicOnceWithItsConfigs() throws Exception {
        // given a broker
        LocalCluster cluster = LocalCluster.shared();
        TopicProvisioner provisioner = new TopicProvisioner(cluster.bootstrapServers(), (short) 1);

        // when topics are provisioned twice
        provisioner.ensureAll();
        assertThat(provisioner.ensureAll()).as("second run creates nothing").isEmpty();

        // then each exists with its partitions and cleanup policy
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            Set<String> names = Stream.of(BallastTopic.values())
                    .map(BallastTopic::topicName)
                    .collect(Collectors.toSet());
            var descriptions = admin.describeTopics(names).allTopicNames().get();
            for (BallastTopic t : BallastTopic.values()) {
                assertThat(descriptions.get(t.topicName()).partitions()).hasSize(t.partitions());
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, t.topicName());
                var config = admin.describeConfigs(Set.of(resource)).all().get().get(resource);
                assertThat(config.get("cleanup.policy").value())
                        .isEqualTo(t.configs().get("cleanup.policy"));
            }
        }
        assertThat(BallastTopic.MODEL_UPDATES.configs()).containsEntry("cleanup.policy", "compact");
        assertThat(BallastTopic.TARGETS.configs()).containsEntry("cleanup.policy", "compact");
    }
}

package io.ballast.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ballast.embedded.LocalCluster;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SampleEvents;
import io.ballast.schemas.registry.SchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ballast's serde against Confluent's own client: Debian's python3-confluent-kafka (its
 * SchemaRegistryClient) and python3-avro, which .ci/run installs. Missing packages fail this test
 * with the apt-get line to run; they are never a reason to skip.
 */
class ConfluentPythonClientInteropIT {

    private static final String PYTHON = "/usr/bin/python3";

    @Test
    void confluentsClientReadsWhatWeWroteAndWeReadWhatItWrote(@TempDir Path dir) throws Exception {
        // given Debian's Python with Confluent's client
        assertPythonPackagesPresent();
        LocalCluster cluster = LocalCluster.shared();
        SchemaRegistryClient registry = new SchemaRegistryClient(cluster.registryUrl());
        String topic = "interop-python";
        GenerationEvent ours = SampleEvents.generation(2);

        // when our serializer writes a record and the Python side decodes it and writes one back
        byte[] javaBytes = new AvroSerializer<GenerationEvent>(registry, true, false).serialize(topic, ours);
        Path javaFile = Files.write(dir.resolve("java.bin"), javaBytes);
        Path pythonFile = dir.resolve("python.bin");
        Path decoded = dir.resolve("decoded.json");
        Process p = new ProcessBuilder(
                        PYTHON,
                        Path.of("src/test/python/confluent_interop.py")
                                .toAbsolutePath()
                                .toString(),
                        cluster.registryUrl(),
                        topic + "-value",
                        javaFile.toString(),
                        pythonFile.toString(),
                        decoded.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("python output:\n%s", output).isZero();

        // then it saw our record's fields under the id we registered
        JsonNode seen = new ObjectMapper().readTree(decoded.toFile());
        int ourId = registry.lookup(topic + "-value", GenerationEvent.getClassSchema())
                .orElseThrow();
        assertThat(seen.path("schema_id").asInt()).isEqualTo(ourId);
        assertThat(seen.path("contextKey").asText()).isEqualTo(ours.getContextKey());
        assertThat(seen.path("modelVersion").asInt()).isEqualTo(ours.getModelVersion());
        assertThat(seen.path("steeringTokens").get(0).asText())
                .isEqualTo(ours.getSteeringTokens().get(0));

        // and our deserializer reads the record Python wrote back equal to what it meant
        GenerationEvent theirs = new AvroDeserializer<>(GenerationEvent.class, registry)
                .deserialize(topic, Files.readAllBytes(pythonFile));
        GenerationEvent expected = GenerationEvent.newBuilder(ours)
                .setEventId(ours.getEventId() + "-from-python")
                .setResponseText("Written by Python: " + ours.getResponseText())
                .build();
        assertThat(theirs).isEqualTo(expected);
        assertThat(registry.versions(topic + "-value")).containsExactly(1);
    }

    private static void assertPythonPackagesPresent() throws Exception {
        Process check = new ProcessBuilder(PYTHON, "-c", "import confluent_kafka.schema_registry, avro.io, requests")
                .redirectErrorStream(true)
                .start();
        String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        check.waitFor(30, TimeUnit.SECONDS);
        assertThat(check.exitValue())
                .as(
                        "Confluent's Python client is missing (%s); install it: "
                                + "apt-get install -y python3-confluent-kafka python3-avro python3-requests",
                        out.strip())
                .isZero();
    }
}

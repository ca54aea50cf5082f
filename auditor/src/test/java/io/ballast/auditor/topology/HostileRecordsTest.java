package io.ballast.auditor.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ballast.auditor.AuditorConfig;
import io.ballast.classifiers.ClassifierCatalog;
import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.DistributionSnapshot;
import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SampleEvents;
import io.ballast.schemas.SnapshotScope;
import io.ballast.schemas.attributes.AttributeClassifiers;
import io.ballast.schemas.attributes.TextClassifier;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.registry.InMemorySchemaRegistry;
import io.ballast.schemas.registry.SchemaRegistry;
import io.ballast.schemas.registry.SchemaRegistryException;
import io.ballast.schemas.topics.BallastTopic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a record can do to the auditor, on {@link org.apache.kafka.streams.TopologyTestDriver} with the
 * deployed error handling ({@link DeadLetterOrRetry}): any string a producer can put in an id is either
 * counted under its own name or dead-lettered with the reason; a record whose processing throws is
 * dead-lettered, not dropped; a registry that cannot be reached never costs a record.
 */
class HostileRecordsTest {

    private static final String SCOPE = HostileRecordsTest.class.getSimpleName();
    private static final String NURSES = "occupation:registered-nurses";

    @TempDir
    Path stateDir;

    private final RegistryOutage registry = new RegistryOutage(InMemorySchemaRegistry.scope(SCOPE));
    private AuditTopologyDriver topology;
    private long clock = 1_760_000_000_000L;

    @AfterEach
    void close() {
        if (topology != null) {
            topology.close();
        }
        InMemorySchemaRegistry.dropScope(SCOPE);
    }

    @Test
    void idsHoldingTheKeySeparatorBackslashesAndUnicodeAreCountedUnderTheirOwnNames() {
        // given an auditor for any model
        start(ClassifierCatalog.defaults());
        // when a producer names its model and context with the key separator, escapes and non-Latin text
        String model = "bios|v2\\x|模型";
        String context = "occupation:a|b\\|c\\-médecin-🩺";
        for (int i = 0; i < 3; i++) {
            send(event(i, model, context));
        }
        send(event(3, "bios", NURSES));

        // then each event is counted under exactly the names it carried, apart from the plain one
        List<DistributionSnapshot> latest = sinceLive("gender");
        assertThat(latest)
                .filteredOn(
                        s -> s.getModelId().equals(model) && s.getContextKey().equals(context))
                .extracting(DistributionSnapshot::getN)
                .containsOnly(3L);
        assertThat(latest)
                .filteredOn(s -> s.getModelId().equals("bios"))
                .extracting(DistributionSnapshot::getContextKey, DistributionSnapshot::getN)
                .containsOnly(org.assertj.core.groups.Tuple.tuple(NURSES, 1L));
        assertThat(topology.dlq.readValuesToList()).isEmpty();
    }

    @Test
    void oversizedIdsControlCharactersAnEmptyContextAndAMegabyteOfTextAreDeadLetteredWithTheirReason() {
        // given an auditor with the default bounds (256-character ids, 4,000-character texts)
        start(ClassifierCatalog.defaults());

        // when events arrive whose fields are each hostile in one way
        send(event(0, "m".repeat(5_000), NURSES));
        send(event(1, "bios", "occupation:" + "x".repeat(300)));
        send(event(2, "bios", NURSES + "\n200 OK"));
        send(event(3, "bios\u0000", NURSES));
        send(event(4, "bios\u001b[31m", NURSES));
        send(event(5, "bios", ""));
        GenerationEvent megabyte = event(6, "bios", NURSES);
        megabyte.setResponseText("She ".repeat(250_000));
        send(megabyte);
        send(event(7, "bios", NURSES));

        // then each is a dead letter with its reason and a message naming the field, and only the good one counts
        List<DeadLetter> dead = topology.dlq.readValuesToList();
        assertThat(dead)
                .extracting(DeadLetter::getReason)
                .containsExactly(
                        "OVERSIZED_ID",
                        "OVERSIZED_ID",
                        "CONTROL_CHARACTERS",
                        "CONTROL_CHARACTERS",
                        "CONTROL_CHARACTERS",
                        "MISSING_CONTEXT",
                        "OVERSIZED_TEXT");
        assertThat(dead.get(0).getErrorMessage()).contains("model id has 5000 characters, over the limit of 256");
        assertThat(dead.get(1).getErrorMessage()).contains("context key has 311 characters");
        assertThat(dead.get(2).getErrorMessage()).contains("context key holds the control character U+000A");
        assertThat(dead.get(3).getErrorMessage()).contains("model id holds the control character U+0000");
        assertThat(topology.metrics.deadLettered().count()).isEqualTo(7.0);
        assertThat(sinceLive("gender"))
                .extracting(DistributionSnapshot::getModelId, DistributionSnapshot::getN)
                .containsOnly(org.assertj.core.groups.Tuple.tuple("bios", 1L));
    }

    @Test
    void aSteeringPatchHoldingTheSeparatorThePatchMarkAndUnicodeIsCountedUnderItsOwnName() {
        // given an auditor for any model
        start(ClassifierCatalog.defaults());
        // when a producer names the patch its outputs were produced under with the key separator, '+' and emoji
        String patch = "p|1+2\\|x-修补-🩹";
        for (int i = 0; i < 2; i++) {
            send(patched(event(i, "bios", NURSES), patch));
        }
        send(event(2, "bios", NURSES));

        // then its outputs are counted apart from the unpatched ones, under exactly the patch they carried
        assertThat(sinceLive("gender"))
                .extracting(DistributionSnapshot::getSteeringPatch, DistributionSnapshot::getN)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(patch, 2L), org.assertj.core.groups.Tuple.tuple(null, 1L));
        assertThat(topology.dlq.readValuesToList()).isEmpty();
    }

    @Test
    void anOversizedBlankOrControlCharacterSteeringPatchIsDeadLetteredAsOtherIdsAre() {
        // given an auditor with the default bounds (256-character ids)
        start(ClassifierCatalog.defaults());

        // when events name a patch of 5,000 characters, one holding a newline, and a blank one
        send(patched(event(0, "bios", NURSES), "p".repeat(5_000)));
        send(patched(event(1, "bios", NURSES), "bios-1-p1\n200 OK"));
        send(patched(event(2, "bios", NURSES), " "));
        send(patched(event(3, "bios", NURSES), "bios-1-p1"));

        // then each is a dead letter with the reason other ids get, naming the field, and only the good one counts
        List<DeadLetter> dead = topology.dlq.readValuesToList();
        assertThat(dead)
                .extracting(DeadLetter::getReason)
                .containsExactly("OVERSIZED_ID", "CONTROL_CHARACTERS", "BLANK_PATCH");
        assertThat(dead.get(0).getErrorMessage()).contains("steering patch has 5000 characters, over the limit of 256");
        assertThat(dead.get(1).getErrorMessage()).contains("steering patch holds the control character U+000A");
        assertThat(sinceLive("gender"))
                .extracting(DistributionSnapshot::getSteeringPatch, DistributionSnapshot::getN)
                .containsOnly(org.assertj.core.groups.Tuple.tuple("bios-1-p1", 1L));
    }

    @Test
    void aRecordWhoseProcessingThrowsIsDeadLetteredWithTheExceptionAndTheStreamGoesOn() {
        // given an extractor that fails on one particular text, as a bug or a pathological input would
        AttributeClassifiers defaults = ClassifierCatalog.defaults();
        TextClassifier failing = new TextClassifier() {
            @Override
            public String id() {
                return "failing";
            }

            @Override
            public int version() {
                return 1;
            }

            @Override
            public String classify(String text) {
                if (text.contains("poison")) {
                    throw new IllegalArgumentException("cannot read '" + text + "'");
                }
                return defaults.of(Attribute.GENDER).classify(text);
            }
        };
        Map<Attribute, TextClassifier> byAttribute = new EnumMap<>(Attribute.class);
        for (Attribute a : Attribute.values()) {
            byAttribute.put(a, a == Attribute.GENDER ? failing : defaults.of(a));
        }
        start(new AttributeClassifiers(byAttribute, defaults.toxicity()));

        // when that text arrives between two good events
        send(event(0, "bios", NURSES));
        GenerationEvent poison = event(1, "bios", NURSES);
        poison.setResponseText("She drinks poison.");
        byte[] poisonBytes = topology.encode(poison);
        clock += 1000;
        topology.generations.pipeInput(NURSES, poisonBytes, Instant.ofEpochMilli(clock));
        send(event(2, "bios", NURSES));

        // then it is a dead letter carrying its bytes and the exception, counted as one
        List<DeadLetter> dead = topology.dlq.readValuesToList();
        assertThat(dead).hasSize(1);
        DeadLetter letter = dead.get(0);
        assertThat(letter.getReason()).isEqualTo(DeadLetterOrRetry.PROCESSING_FAILED);
        assertThat(letter.getErrorClass()).isEqualTo("IllegalArgumentException");
        assertThat(letter.getErrorMessage()).contains("cannot read 'She drinks poison.'");
        assertThat(letter.getSourceTopic()).isEqualTo(BallastTopic.GENERATIONS.topicName());
        assertThat(letter.getValue().array()).isEqualTo(poisonBytes);
        assertThat(new String(letter.getKey().array(), StandardCharsets.UTF_8)).isEqualTo(NURSES);
        assertThat(topology.metrics.deadLettered().count()).isEqualTo(1.0);
        // and both good events around it are counted
        assertThat(sinceLive("gender")).extracting(DistributionSnapshot::getN).containsOnly(2L);
    }

    @Test
    void aRegistryBlipIsRiddenOutInPlace() {
        // given an auditor whose registry cannot be reached for its next two requests (0.3 s of pauses)
        start(ClassifierCatalog.defaults());
        registry.failNext(2);

        // when an event arrives
        send(event(0, "bios", NURSES));

        // then decoding waited for the registry: the event is counted, nothing is dead-lettered
        assertThat(sinceLive("gender")).extracting(DistributionSnapshot::getN).containsOnly(1L);
        assertThat(topology.dlq.readValuesToList()).isEmpty();
        assertThat(registry.failures()).isEqualTo(2);
    }

    @Test
    void anOutageLongerThanTheWaitFailsTheStreamThreadInsteadOfDroppingOrDeadLetteringTheRecord() {
        // given an auditor whose registry is down for longer than it waits
        start(ClassifierCatalog.defaults());
        byte[] event = topology.encode(event(0, "bios", NURSES));
        registry.failNext(Integer.MAX_VALUE);

        // when an event arrives, processing fails (the auditor replaces the thread, which reads it again)
        assertThatThrownBy(() -> topology.generations.pipeInput(NURSES, event, Instant.ofEpochMilli(clock)))
                .isInstanceOf(StreamsException.class)
                .hasRootCauseInstanceOf(java.net.ConnectException.class);
        assertThat(topology.dlq.readValuesToList()).isEmpty();
        assertThat(topology.metrics.deadLettered().count()).isZero();

        // and once the registry is back, the record read again is counted once
        registry.failNext(0);
        topology.generations.pipeInput(NURSES, event, Instant.ofEpochMilli(clock));
        assertThat(sinceLive("gender")).extracting(DistributionSnapshot::getN).containsOnly(1L);
        assertThat(topology.dlq.readValuesToList()).isEmpty();
    }

    /** The topology with the default bounds, waiting at most 1 s for an unreachable registry. */
    private void start(AttributeClassifiers classifiers) {
        topology = new AuditTopologyDriver(
                SchemaRegistry.MOCK_SCHEME + SCOPE,
                registry,
                classifiers,
                stateDir,
                Map.of(AuditorConfig.REGISTRY_WAIT, "1"));
    }

    /** The event {@code SampleEvents.generation(i)} under the given model and context, a woman's bio, version 1. */
    private static GenerationEvent event(int i, String model, String context) {
        return GenerationEvent.newBuilder(SampleEvents.generation(i))
                .setModelId(model)
                .setModelVersion(1)
                .setContextKey(context)
                .build();
    }

    private static GenerationEvent patched(GenerationEvent e, String patch) {
        e.setSteeringPatch(patch);
        return e;
    }

    private void send(GenerationEvent e) {
        clock += 1000;
        topology.send(e, clock);
    }

    /** The latest since-live snapshot of each (model, version, patch, context) for the attribute, a snapshot later. */
    private List<DistributionSnapshot> sinceLive(String attribute) {
        topology.driver.advanceWallClockTime(Duration.ofSeconds(1));
        Map<String, DistributionSnapshot> latest = new java.util.LinkedHashMap<>();
        for (DistributionSnapshot s : topology.distributions.readValuesToList()) {
            if (s.getScope() == SnapshotScope.SINCE_LIVE && s.getAttribute().equals(attribute)) {
                latest.put(
                        s.getModelId() + "\u0000" + s.getModelVersion() + "\u0000" + s.getSteeringPatch() + "\u0000"
                                + s.getContextKey(),
                        s);
            }
        }
        return List.copyOf(latest.values());
    }

    /** A registry that answers as the one it wraps, except that its next lookups by id fail as if it were unreachable. */
    private static final class RegistryOutage implements SchemaRegistry {
        private final SchemaRegistry delegate;
        private final AtomicInteger toFail = new AtomicInteger();
        private final AtomicInteger failures = new AtomicInteger();

        RegistryOutage(SchemaRegistry delegate) {
            this.delegate = delegate;
        }

        void failNext(int n) {
            toFail.set(n);
        }

        int failures() {
            return failures.get();
        }

        @Override
        public Schema schemaById(int id) {
            if (toFail.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                failures.incrementAndGet();
                throw new SchemaRegistryException(
                        "GET /schemas/ids/" + id + " failed: connection refused",
                        -1,
                        -1,
                        new java.net.ConnectException("Connection refused"));
            }
            return delegate.schemaById(id);
        }

        @Override
        public int register(String subject, Schema schema) {
            return delegate.register(subject, schema);
        }

        @Override
        public OptionalInt lookup(String subject, Schema schema) {
            return delegate.lookup(subject, schema);
        }

        @Override
        public List<Integer> versions(String subject) {
            return delegate.versions(subject);
        }

        @Override
        public boolean isCompatible(String subject, Schema schema) {
            return delegate.isCompatible(subject, schema);
        }

        @Override
        public String globalCompatibility() {
            return delegate.globalCompatibility();
        }

        @Override
        public void setGlobalCompatibility(String level) {
            delegate.setGlobalCompatibility(level);
        }
    }
}

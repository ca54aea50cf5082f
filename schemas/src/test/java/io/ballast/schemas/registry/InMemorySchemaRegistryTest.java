package io.ballast.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.ballast.schemas.GenerationEvent;
import io.ballast.schemas.SampleEvents;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.serde.AvroSerdeConfig;
import io.ballast.schemas.serde.AvroSerializer;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The in-memory registry answers as the real one does where Ballast depends on the answer. */
class InMemorySchemaRegistryTest {

    private static final Schema V1 = SchemaBuilder.record("Thing")
            .namespace("test")
            .fields()
            .requiredString("name")
            .endRecord();
    private static final Schema V2_WITH_DEFAULT = SchemaBuilder.record("Thing")
            .namespace("test")
            .fields()
            .requiredString("name")
            .name("size")
            .type()
            .intType()
            .intDefault(0)
            .endRecord();
    private static final Schema V2_WITHOUT_DEFAULT = SchemaBuilder.record("Thing")
            .namespace("test")
            .fields()
            .requiredString("name")
            .requiredInt("size")
            .endRecord();

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

    @AfterEach
    void forgetScopes() {
        InMemorySchemaRegistry.dropScope("scope-a");
        InMemorySchemaRegistry.dropScope("scope-b");
    }

    @Test
    void aSchemaHasOneIdUnderEverySubjectAndRegisteringItAgainChangesNothing() {
        // when one schema is registered under two subjects, the first one twice
        int first = registry.register("a-value", V1);
        int again = registry.register("a-value", V1);
        int elsewhere = registry.register("b-value", V1);

        // then ids are global, as in Confluent's registry, and re-registration adds no version
        assertThat(again).isEqualTo(first);
        assertThat(elsewhere).isEqualTo(first);
        assertThat(registry.versions("a-value")).containsExactly(1);
        assertThat(registry.schemaById(first)).isEqualTo(V1);
        assertThat(registry.lookup("b-value", V1)).hasValue(first);
    }

    @Test
    void lookingUpNeverRegistersAndUnknownThingsAreNotFound() {
        assertThat(registry.lookup("a-value", V1)).isEmpty();
        assertThat(registry.versions("a-value")).isEmpty();
        SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class, () -> registry.schemaById(42));
        assertThat(e.isNotFound())
                .as("an unknown id is a 404, which the deserializer reports as UNKNOWN_SCHEMA_ID")
                .isTrue();
    }

    @Test
    void underTheDefaultBackwardLevelANewFieldNeedsADefault() {
        // given version 1 of a subject, and the level Ballast configures its real registry with
        registry.register("a-value", V1);
        assertThat(registry.globalCompatibility()).isEqualTo("BACKWARD");

        // then a field without a default, which the new schema could not fill from old data, is refused with a 409
        assertThat(registry.isCompatible("a-value", V2_WITHOUT_DEFAULT)).isFalse();
        assertThatThrownBy(() -> registry.register("a-value", V2_WITHOUT_DEFAULT))
                .isInstanceOfSatisfying(
                        SchemaRegistryException.class,
                        e -> assertThat(e.isIncompatible()).isTrue())
                .hasMessageContaining("size");
        assertThat(registry.versions("a-value")).containsExactly(1);

        // and one with a default becomes version 2 under a new id
        assertThat(registry.isCompatible("a-value", V2_WITH_DEFAULT)).isTrue();
        int v2 = registry.register("a-value", V2_WITH_DEFAULT);
        assertThat(registry.versions("a-value")).containsExactly(1, 2);
        assertThat(v2).isNotEqualTo(registry.lookup("a-value", V1).getAsInt());
    }

    @Test
    void forwardAndNoneLevelsCheckTheOtherWayOrNotAtAll() {
        // given a version with a field that has no default, under FORWARD
        registry.register("a-value", V2_WITHOUT_DEFAULT);
        registry.setGlobalCompatibility("forward");

        // then dropping the field breaks old readers, which need it and have no default
        assertThat(registry.isCompatible("a-value", V1)).isFalse();

        // and under NONE anything goes, but an unknown level is refused as the real registry refuses it
        registry.setGlobalCompatibility("NONE");
        assertThat(registry.isCompatible("a-value", V1)).isTrue();
        assertThatThrownBy(() -> registry.setGlobalCompatibility("SIDEWAYS"))
                .isInstanceOfSatisfying(
                        SchemaRegistryException.class,
                        e -> assertThat(e.status()).isEqualTo(422));
    }

    @Test
    void aMockUrlNamesOneRegistryPerScopeUntilTheScopeIsDropped() {
        SchemaRegistry a = SchemaRegistry.forUrl("mock://scope-a");
        assertThat(SchemaRegistry.forUrl("mock://scope-a")).isSameAs(a);
        assertThat(SchemaRegistry.forUrl("mock://scope-b")).isNotSameAs(a);
        assertThat(((InMemorySchemaRegistry) a).url()).isEqualTo("mock://scope-a");

        InMemorySchemaRegistry.dropScope("scope-a");
        assertThat(SchemaRegistry.forUrl("mock://scope-a")).isNotSameAs(a);
    }

    @Test
    void serdesConfiguredOnlyByAMockUrlShareItsSchemas() {
        // given a serializer and a deserializer configured separately, as Kafka configures them
        Map<String, Object> config = Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "mock://scope-a");
        AvroSerializer<GenerationEvent> serializer = new AvroSerializer<>();
        serializer.configure(config, false);
        AvroDeserializer<GenerationEvent> deserializer = new AvroDeserializer<>(GenerationEvent.class);
        deserializer.configure(config, false);

        // when a record goes through both
        byte[] bytes = serializer.serialize("t", SampleEvents.generation(7));

        // then the deserializer finds the writer's schema in the same in-memory scope
        assertThat(deserializer.deserialize("t", bytes)).isEqualTo(SampleEvents.generation(7));
        assertThat(SchemaRegistry.forUrl("mock://scope-a").versions("t-value")).containsExactly(1);
    }

    @Test
    void theHttpClientRefusesAMockUrlInsteadOfFailingLaterAsUnreachable() {
        assertThatThrownBy(() -> new SchemaRegistryClient("mock://scope-a"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SchemaRegistry.forUrl");
    }
}

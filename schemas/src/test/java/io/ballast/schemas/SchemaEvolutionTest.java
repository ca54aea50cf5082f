package io.ballast.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

class SchemaEvolutionTest {

    private static final Path CURRENT = Path.of("src/main/avro");
    private static final Path RELEASED = Path.of("src/compat");

    @Test
    void everyContractCanReadEveryReleasedVersionOfItself() throws IOException {
        List<Path> contracts = list(CURRENT, ".avsc");
        assertThat(contracts).hasSize(7);
        for (Path contract : contracts) {
            String name = contract.getFileName().toString().replace(".avsc", "");
            Schema current = parse(contract);
            List<Path> released = list(RELEASED, ".avsc").stream()
                    .filter(p -> p.getFileName().toString().startsWith(name + ".v"))
                    .toList();
            assertThat(released)
                    .as("released versions of %s in %s", name, RELEASED)
                    .isNotEmpty();
            for (Path old : released) {
                var result = SchemaCompatibility.checkReaderWriterCompatibility(current, parse(old));
                assertThat(result.getType())
                        .as(
                                "%s must read data written with %s: %s",
                                contract, old, result.getResult().getIncompatibilities())
                        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
            }
        }
    }

    @Test
    void aRequiredFieldWithoutDefaultIsCaughtAsBreaking() throws IOException {
        // given the released GenerationEvent and a change that adds a field with no default
        Schema released = parse(RELEASED.resolve("GenerationEvent.v1.avsc"));
        String json = Files.readString(CURRENT.resolve("GenerationEvent.avsc"))
                .replace(
                        "\"fields\": [\n    {\"name\": \"eventId\"",
                        "\"fields\": [\n    {\"name\": \"tenant\", \"type\": \"string\"},\n    {\"name\": \"eventId\"");
        Schema changed = new Schema.Parser().parse(json);
        assertThat(changed.getField("tenant")).isNotNull();

        // then the check this build runs rejects it
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(changed, released)
                        .getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    @Test
    void everyFieldIsDocumented() throws IOException {
        for (Path contract : list(CURRENT, ".avsc")) {
            Schema schema = parse(contract);
            assertThat(schema.getDoc()).as("doc of %s", contract).isNotBlank();
            schema.getFields()
                    .forEach(f -> assertThat(f.doc())
                            .as("doc of %s.%s", schema.getName(), f.name())
                            .isNotBlank());
        }
    }

    private static Schema parse(Path p) throws IOException {
        return new Schema.Parser().parse(Files.readString(p));
    }

    private static List<Path> list(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }
}

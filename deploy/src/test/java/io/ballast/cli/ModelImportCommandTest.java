package io.ballast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.generator.checkpoint.HuggingFaceCheckpoint;
import io.ballast.generator.checkpoint.RandomCheckpoint;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.sampling.Generation;
import io.ballast.generator.sampling.Sampler;
import io.ballast.generator.sampling.SamplingParams;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.schemas.domain.Attribute;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ballast model import} and {@code model random-checkpoint}, on tiny random checkpoints. */
class ModelImportCommandTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private static Run ballast(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = BallastMain.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void anImportedLlamaIsTheNextVersionAndModelGenerateServesIt() throws Exception {
        // given a tiny Llama in a directory whose name is not a store id as it stands
        Path checkpoint = RandomCheckpoint.write(dir.resolve("Tiny Llama"), RandomCheckpoint.Spec.llama(), 11);
        Path store = dir.resolve("store");

        // when it is imported twice
        Run first = ballast("model", "import", checkpoint.toString(), "--store", store.toString(), "--device", "cpu");
        Run second = ballast("model", "import", checkpoint.toString(), "--store", store.toString(), "--device", "cpu");

        // then it is versions 1 and 2 of the sanitised name, and the figures are printed
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("model tiny-llama version 1: imported llama checkpoint");
        assertThat(second.out()).contains("model tiny-llama version 2");
        ModelArtifact artifact = new LocalModelStore(store).get("tiny-llama", 1);
        String sha = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(artifact.directory()
                        .resolve(HuggingFaceCheckpoint.RECORD_FILE)
                        .toFile())
                .path("sha256")
                .asText();
        assertThat(sha).hasSize(64);
        assertThat(first.out()).contains("checkpoint sha256 " + sha).contains("parameters");
        // and the grown rows: 34 words and 6 padding rows, Ballast's reserved tokens past the words
        int reserved = io.ballast.generator.text.WordTokenizer.reservedTokens().size();
        int grown = RandomCheckpoint.WORDS.size()
                + reserved
                - RandomCheckpoint.Spec.llama().vocabularyRows();
        assertThat(first.out())
                .contains("+" + grown + " rows for Ballast's " + reserved + " special and steering tokens");
        // and the record is part of the artifact, hashed with its files, its lineage naming the source
        assertThat(artifact.metadata().files()).containsKey(HuggingFaceCheckpoint.RECORD_FILE);
        assertThat(artifact.metadata().description())
                .startsWith("imported from " + checkpoint.toAbsolutePath())
                .contains("(llama, sha256 " + sha.substring(0, 12));

        // when model generate samples from the latest version
        Run generated = ballast(
                "model",
                "generate",
                "--store",
                store.toString(),
                "--model-id",
                "tiny-llama",
                "--device",
                "cpu",
                "--context",
                "occupation:registered-nurses",
                "-n",
                "3",
                "--max-tokens",
                "12",
                "--seed",
                "5");

        // then it prints one response per line, each starting with a steering token per attribute
        assertThat(generated.exit()).as(generated.err()).isZero();
        List<String> lines = generated.out().lines().toList();
        assertThat(lines).hasSize(3);
        for (String line : lines) {
            String[] words = line.split(" ");
            for (int i = 0; i < Attribute.values().length; i++) {
                assertThat(Attribute.values()[i].steeringTokens()).contains(words[i]);
            }
        }
    }

    @Test
    void theGeneratorServiceLoadsAnImportedModelAsItLoadsAnUpdate() throws Exception {
        // given a Qwen2 imported into a store
        Path checkpoint = RandomCheckpoint.write(dir.resolve("qwen"), RandomCheckpoint.Spec.qwen2(), 12);
        Path store = dir.resolve("store");
        assertThat(ballast("model", "import", checkpoint.toString(), "--store", store.toString(), "--device", "cpu")
                        .exit())
                .isZero();
        LocalModelStore models = new LocalModelStore(store);
        ModelArtifact latest = models.latest("qwen").orElseThrow();

        // when it is resolved and loaded as ModelUpdateFollower does: hashes checked, then a seeded warm-up request
        ModelArtifact verified = models.resolveVerified(latest.uri(), latest.sha256());
        try (LanguageModel lm = LanguageModel.load(verified, ai.djl.Device.cpu())) {
            List<Generation> warmUp = new Sampler()
                    .generate(
                            lm,
                            "a short bio of a nurse",
                            1,
                            SamplingParams.defaults().withSeed(0L));

            // then it generates with its own tokenizer and rotary positions
            assertThat(lm.config().llamaFamily()).isTrue();
            assertThat(warmUp).hasSize(1);
            assertThat(warmUp.get(0).steeringTokens()).hasSize(Attribute.values().length);
        }
    }

    @Test
    void aMissingDirectoryFailsNamingIt() {
        // given a directory that does not exist
        Path missing = dir.resolve("no-such-checkpoint");

        // when it is imported
        Run run = ballast(
                "model",
                "import",
                missing.toString(),
                "--store",
                dir.resolve("store").toString());

        // then the command fails with one line that names it, and the store is untouched
        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).contains("error: cannot import").contains(missing.toString());
        QuietConsole.assertQuiet(run.err());
        assertThat(dir.resolve("store").resolve("no-such-checkpoint")).doesNotExist();
    }

    @Test
    void aDirectoryWithoutACheckpointFailsNamingTheMissingFile() throws Exception {
        // given a directory holding only a config
        Path notACheckpoint = Files.createDirectories(dir.resolve("half"));
        Files.writeString(notACheckpoint.resolve("config.json"), "{\"model_type\": \"llama\"}");

        // when it is imported, then the error names the file it lacks
        Run run = ballast(
                "model",
                "import",
                notACheckpoint.toString(),
                "--store",
                dir.resolve("store").toString());
        assertThat(run.exit()).isNotZero();
        assertThat(run.err()).contains("tokenizer.json");
        QuietConsole.assertQuiet(run.err());
    }

    @Test
    void randomCheckpointWritesALoadableCheckpointAndOverwritesNothing() throws Exception {
        // given an empty target
        Path target = dir.resolve("random");

        // when a tiny Qwen2 is written there
        Run run = ballast("model", "random-checkpoint", target.toString(), "--preset", "tiny-qwen2", "--seed", "3");

        // then it says what it wrote, and Ballast loads it
        assertThat(run.exit()).as(run.err()).isZero();
        long parameters = RandomCheckpoint.Spec.qwen2().parameterCount();
        assertThat(run.out()).contains("random qwen2 checkpoint").contains(String.format("%,d parameters", parameters));
        try (LanguageModel lm = HuggingFaceCheckpoint.load(target, "random", 64, ai.djl.Device.cpu())
                .model()) {
            assertThat(lm.config().architecture().family()).isEqualTo("qwen2");
        }

        // when it is asked to write into the same directory again, then it refuses
        Run again = ballast("model", "random-checkpoint", target.toString());
        assertThat(again.exit()).isNotZero();
        assertThat(again.err()).contains("is not empty");

        // and an unknown preset is a usage error naming the choices
        Run unknown = ballast("model", "random-checkpoint", dir.resolve("x").toString(), "--preset", "gpt2");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("tiny-llama, tiny-qwen2 or llama-25m");
    }

    @Test
    void theDefaultModelIdIsTheDirectoryNameMadeSafe() {
        assertThat(ModelImportCommand.modelIdFor(Path.of("/models/Llama-3.2-1B")))
                .isEqualTo("llama-3.2-1b");
        assertThat(ModelImportCommand.modelIdFor(Path.of("/models/Qwen2 0.5B Instruct/")))
                .isEqualTo("qwen2-0.5b-instruct");
        assertThat(ModelImportCommand.modelIdFor(Path.of("/models/..."))).isEqualTo("imported");
    }
}

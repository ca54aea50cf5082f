package io.ballast.generator.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The random checkpoints' presets: what they say they hold is what they write. */
class RandomCheckpointTest {

    @TempDir
    Path dir;

    @Test
    void theParameterCountIsTheElementsWritten() throws Exception {
        for (RandomCheckpoint.Spec spec :
                new RandomCheckpoint.Spec[] {RandomCheckpoint.Spec.llama(), RandomCheckpoint.Spec.qwen2()}) {
            // given a written checkpoint
            Path written = RandomCheckpoint.write(dir.resolve(spec.modelType()), spec, 1);

            // when its tensors' elements are counted
            long elements = 0;
            try (SafetensorsCheckpoint weights = SafetensorsCheckpoint.open(written)) {
                for (String name : weights.names()) {
                    elements += Arrays.stream(weights.shape(name)).reduce(1, (a, b) -> a * b);
                }
            }

            // then the spec's count agrees
            assertThat(spec.parameterCount()).as(spec.modelType()).isEqualTo(elements);
        }
    }

    @Test
    void theLlama25mPresetIsAbout25MillionParametersOverDistinctWords() {
        // given the preset the generator bench runs
        RandomCheckpoint.Spec spec = RandomCheckpoint.Spec.llama25m();

        // then it is a ~25M-parameter Llama whose words are distinct, the unknown-word token first,
        // the bio corpus's words among them (so a bio prompt is mostly known words)
        assertThat(spec.parameterCount()).isBetween(24_000_000L, 26_000_000L);
        assertThat(spec.words()).hasSize(spec.vocabularyRows()).doesNotHaveDuplicates();
        assertThat(spec.words().get(0)).isEqualTo("[UNK]");
        assertThat(spec.words()).contains("Write", "registered", "nurse", "hospital");
        assertThat(spec.words().subList(1, spec.words().size())).allMatch(w -> w.matches("\\w+|[^\\w\\s]"));
        // and the list is the same on every call: a seed alone names a checkpoint
        assertThat(RandomVocabulary.ofSize(7_168)).isEqualTo(spec.words());
    }
}

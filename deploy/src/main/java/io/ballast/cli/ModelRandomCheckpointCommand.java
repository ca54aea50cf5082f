package io.ballast.cli;

import io.ballast.generator.checkpoint.RandomCheckpoint;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "random-checkpoint",
        mixinStandardHelpOptions = true,
        description = {
            "Write a checkpoint with RANDOM weights in Hugging Face layout (config.json, safetensors, a word-level",
            "tokenizer.json), to try 'ballast model import' and 'ballast bench generator --model' without",
            "downloading a model. It is not trained: what it generates is random words."
        })
final class ModelRandomCheckpointCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "A new or empty directory to write it into.")
    Path dir;

    @Option(
            names = "--preset",
            defaultValue = "tiny-llama",
            description = "tiny-llama (width 64, 2 layers, F32), tiny-qwen2 (width 48, 2 layers, BF16, two shards)"
                    + " or llama-25m (width 512, 6 layers, 8 heads over 4 key/value heads, MLP 1408, 7,168 words,"
                    + " BF16: about 25M parameters) (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        RandomCheckpoint.Spec checkpoint = switch (preset) {
            case "tiny-llama" -> RandomCheckpoint.Spec.llama();
            case "tiny-qwen2" -> RandomCheckpoint.Spec.qwen2();
            case "llama-25m" -> RandomCheckpoint.Spec.llama25m();
            default ->
                throw new ParameterException(
                        spec.commandLine(),
                        "--preset must be tiny-llama, tiny-qwen2 or llama-25m, not '" + preset + "'");
        };
        if (Files.isDirectory(dir)) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(
                            dir + " is not empty: give a new or empty directory, nothing is overwritten");
                }
            }
        } else if (Files.exists(dir)) {
            throw new IllegalArgumentException(dir + " is a file, not a directory");
        }
        RandomCheckpoint.write(dir, checkpoint, seed);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "wrote a random %s checkpoint (%s, seed %d, %s): %,d parameters, %,d vocabulary rows, in %s%n",
                checkpoint.modelType(),
                preset,
                seed,
                checkpoint.dtype().name(),
                checkpoint.parameterCount(),
                checkpoint.vocabularyRows(),
                dir.toAbsolutePath().normalize());
        out.flush();
        return 0;
    }
}

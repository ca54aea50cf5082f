package io.ballast.cli;

import io.ballast.classifiers.encoder.EncoderSentiment;
import io.ballast.classifiers.encoder.SentenceEncoder;
import io.ballast.classifiers.training.HeadTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "classifiers",
        mixinStandardHelpOptions = true,
        description = "The learned classifiers' heads on all-MiniLM-L6-v2.",
        subcommands = {ClassifiersCommand.Train.class})
final class ClassifiersCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(
            name = "train",
            mixinStandardHelpOptions = true,
            description = {
                "Retrain a head from the committed public data (sentiment: SST-2; toxicity: Davidson et al. 2017):",
                "embed, fit a softmax regression per L2 weight, keep the best on validation, choose thresholds there.",
                "Test splits are never read. Writes <head>.json into --out (the source tree's heads by default)."
            })
    static final class Train implements Callable<Integer> {

        @Parameters(index = "0", description = "sentiment or toxicity")
        String head;

        @Option(
                names = "--out",
                description = "directory for the head (default: the source tree's heads folder when run from the"
                        + " repository root, else ./heads)")
        Path out;

        @Override
        public Integer call() {
            Path dir = out;
            if (dir == null) {
                Path source = HeadTrainer.sourceHeads(Path.of(""));
                dir = Files.isDirectory(source.getParent()) ? source : Path.of("heads");
            }
            // the sentiment head reads the encoder with its adapter (trained with it by the tool in
            // schemas/classifiers/tools); the toxicity head reads the base encoder
            try (SentenceEncoder encoder =
                    "sentiment".equals(head) ? EncoderSentiment.encoder(0) : SentenceEncoder.load(0)) {
                Path file = new HeadTrainer(encoder, System.out).train(head, dir);
                System.out.println("wrote " + file.toAbsolutePath());
            }
            return 0;
        }
    }
}

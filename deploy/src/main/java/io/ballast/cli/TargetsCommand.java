package io.ballast.cli;

import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.targets.TargetFile;
import io.ballast.schemas.targets.TargetPresets;
import io.ballast.schemas.targets.TargetPublisher;
import io.ballast.schemas.topics.TopicProvisioner;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "targets",
        mixinStandardHelpOptions = true,
        description = "Set the distributions outputs should follow.",
        subcommands = {TargetsCommand.Load.class})
final class TargetsCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(
            name = "load",
            mixinStandardHelpOptions = true,
            description = {
                "Publish targets to ballast.targets (compacted); auditors apply them without restart.",
                "A file (.csv: attribute,context,category,probability[,tolerance]; .json: array of targets) or a preset:",
                "uniform (every category equally likely, all contexts) or bls (BLS CPS 2025 shares per occupation).",
                "A bound limits one category's share instead: .csv probability '<=0.005' (toxicity,*,toxic,<=0.005);",
                ".json {\"attribute\": \"toxicity\", \"bound\": {\"category\": \"toxic\", \"maxShare\": 0.005}}."
            })
    static final class Load implements Callable<Integer> {

        static final class Source {
            @Parameters(index = "0", arity = "0..1", description = "Targets file (.csv or .json).")
            Path file;

            @Option(names = "--preset", description = "uniform or bls.")
            String preset;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        @Option(names = "--bootstrap-servers", required = true, description = "Kafka bootstrap servers.")
        String bootstrapServers;

        @Option(names = "--registry-url", required = true, description = "Schema registry (Confluent API) URL.")
        String registryUrl;

        @Option(
                names = "--tolerance",
                defaultValue = "0.08",
                description = "Tolerance where the file gives none (default: ${DEFAULT-VALUE}).")
        double tolerance;

        @Override
        public Integer call() throws Exception {
            List<TargetDistribution> targets;
            if (source.file != null) {
                targets = TargetFile.read(source.file, tolerance);
            } else {
                targets = TargetPresets.named(source.preset, tolerance);
            }
            new TopicProvisioner(bootstrapServers, (short) 1).ensureAll();
            System.out.printf(
                    "published %d targets%n", TargetPublisher.publish(bootstrapServers, registryUrl, targets));
            return 0;
        }
    }
}

package io.ballast.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "ballast",
        mixinStandardHelpOptions = true,
        versionProvider = BallastVersion.class,
        description = "Audit and calibrate the distribution of LLM outputs, streaming through Kafka.",
        subcommands = {
            LocalCommand.class,
            ModelCommand.class,
            GeneratorCommand.class,
            AuditorCommand.class,
            CalibratorCommand.class,
            CalibrateCommand.class,
            TargetsCommand.class,
            DemoCommand.class,
            BenchCommand.class,
            EvalCommand.class,
            ClassifiersCommand.class,
            SettingsCommand.class
        })
public final class BallastCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required");
    }
}

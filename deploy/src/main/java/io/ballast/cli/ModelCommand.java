package io.ballast.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description = "Train, import, sample and inspect the models in a model store.",
        subcommands = {
            ModelPretrainCommand.class,
            ModelGenerateCommand.class,
            ModelListCommand.class,
            ModelHistoryCommand.class,
            ModelRollbackCommand.class,
            ModelImportCommand.class,
            ModelRandomCheckpointCommand.class
        })
final class ModelCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a model command is required");
    }
}

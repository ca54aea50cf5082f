package io.ballast.cli;

import picocli.CommandLine;

/** {@code java -jar ballast.jar <command>}: every Ballast service and tool starts here. */
public final class BallastMain {

    private BallastMain() {}

    public static void main(String[] args) {
        ProcessDefaults.apply();
        int exit = commandLine().execute(args);
        System.exit(exit);
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new BallastCommand());
        // a service's --help ends with its settings, rendered from the descriptors the service reads them through
        cli.getSubcommands().values().forEach(sub -> {
            if (sub.getCommand() instanceof ServiceCommand service) {
                SettingsDoc.addHelpSection(sub, service.settings());
            }
        });
        // a bad setting or a missing model is the user's to fix: one clear line, not a stack trace
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                commandLine.getErr().println("error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli;
    }
}

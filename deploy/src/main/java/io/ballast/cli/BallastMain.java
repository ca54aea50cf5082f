package io.ballast.cli;

import picocli.CommandLine;

/** {@code java -jar ballast.jar <command>}: every Ballast service and tool starts here. */
public final class BallastMain {

    private BallastMain() {
    }

    public static void main(String[] args) {
        ProcessDefaults.apply();
        int exit = commandLine().execute(args);
        System.exit(exit);
    }

    public static CommandLine commandLine() {
        return new CommandLine(new BallastCommand());
    }
}

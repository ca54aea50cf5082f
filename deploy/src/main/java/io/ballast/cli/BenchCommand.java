package io.ballast.cli;

import picocli.CommandLine.Command;

@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks that print the figures Ballast's issues ask for (not part of the tests).",
        subcommands = {
            SerdeBench.class,
            GeneratorBench.class,
            DriftBench.class,
            AuditorBench.class,
            CalibrationBench.class,
            SteeringBench.class,
            ConstraintBench.class
        })
final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}

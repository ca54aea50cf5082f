package io.ballast.cli;

import io.ballast.runtime.Setting;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "settings",
        mixinStandardHelpOptions = true,
        description = {
            "List every setting the services read, with its default, allowed values and meaning.",
            "--markdown prints the configuration tables of docs/operations.md (paste them between the markers there)."
        })
final class SettingsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--markdown", description = "Print the docs/operations.md tables instead of plain text.")
    boolean markdown;

    @Parameters(
            arity = "0..1",
            paramLabel = "SERVICE",
            description = "generator, auditor or calibrator (default: all).")
    String service;

    @Override
    public Integer call() {
        if (markdown) {
            spec.commandLine().getOut().print(SettingsDoc.markdown());
            spec.commandLine().getOut().flush();
            return 0;
        }
        Map<String, List<Setting<?>>> services = SettingsDoc.SERVICES;
        if (service != null && !services.containsKey(service)) {
            throw new ParameterException(spec.commandLine(), "unknown service '" + service + "': " + services.keySet());
        }
        int width = spec.usageMessage().width();
        services.forEach((name, settings) -> {
            if (service == null || service.equals(name)) {
                spec.commandLine()
                        .getOut()
                        .print(System.lineSeparator() + "ballast " + name
                                + SettingsDoc.helpText(settings, width).stripTrailing() + System.lineSeparator());
            }
        });
        spec.commandLine().getOut().flush();
        return 0;
    }
}

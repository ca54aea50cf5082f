package io.ballast.cli;

import io.ballast.runtime.ConfigSource;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** How a service command takes its settings: a properties file, environment variables, --set. */
final class ServiceOptions {

    @Option(names = "--config", description = "Properties file with the service's settings.")
    Path configFile;

    @Option(names = "--set", description = "A setting, key=value (repeatable); wins over the file and the environment.")
    Map<String, String> overrides = new LinkedHashMap<>();

    ConfigSource source() {
        return ConfigSource.of(overrides, configFile);
    }
}

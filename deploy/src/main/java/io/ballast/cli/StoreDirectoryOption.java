package io.ballast.cli;

import io.ballast.generator.store.LocalModelStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --store} alone: for a command that names its model another way (an import names it after its source). */
final class StoreDirectoryOption {

    @Option(
            names = "--store",
            description = "Model store directory (default: ${DEFAULT-VALUE}).",
            defaultValue = "${sys:user.home}/.ballast/models")
    Path store;

    LocalModelStore open() {
        return new LocalModelStore(store);
    }
}

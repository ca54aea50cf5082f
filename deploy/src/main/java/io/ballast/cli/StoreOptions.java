package io.ballast.cli;

import io.ballast.generator.store.LocalModelStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --store} and {@code --model-id}, shared by every command that touches models. */
final class StoreOptions {

    @Option(
            names = "--store",
            description = "Model store directory (default: ${DEFAULT-VALUE}).",
            defaultValue = "${sys:user.home}/.ballast/models")
    Path store;

    @Option(
            names = "--model-id",
            description = "Model name in the store (default: ${DEFAULT-VALUE}).",
            defaultValue = "bios")
    String modelId;

    LocalModelStore open() {
        return new LocalModelStore(store);
    }
}

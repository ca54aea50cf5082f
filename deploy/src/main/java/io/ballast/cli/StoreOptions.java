package io.ballast.cli;

import io.ballast.generator.store.LocalModelStore;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code --store} and {@code --model-id}, shared by every command that touches models. */
final class StoreOptions {

    @Mixin
    StoreDirectoryOption directory;

    @Option(
            names = "--model-id",
            description = "Model name in the store (default: ${DEFAULT-VALUE}).",
            defaultValue = "bios")
    String modelId;

    LocalModelStore open() {
        return directory.open();
    }
}

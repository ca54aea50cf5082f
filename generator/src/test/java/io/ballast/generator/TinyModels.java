package io.ballast.generator;

import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.store.ArtifactMetadata;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.generator.training.PretrainSettings;
import io.ballast.generator.training.Pretrainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/** One tiny pretrained model per test JVM (about 10 s on 2 cores), published to a temp store. */
public final class TinyModels {

    private static Pretrainer.Result result;
    private static LocalModelStore store;
    private static ModelArtifact artifact;

    private TinyModels() {
    }

    public static synchronized Pretrainer.Result pretrained() {
        if (result == null) {
            result = new Pretrainer().train("bios", PretrainSettings.tiny(), null);
        }
        return result;
    }

    public static synchronized ModelArtifact published() {
        if (artifact == null) {
            try {
                store = new LocalModelStore(Files.createTempDirectory("ballast-store-"));
                artifact = pretrained().model().publishTo(store, ArtifactMetadata.Lineage.base("tiny test model", Map.of()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return artifact;
    }

    public static synchronized LocalModelStore store() {
        published();
        return store;
    }

    public static LanguageModel loadPublished() throws IOException {
        return LanguageModel.load(published());
    }
}

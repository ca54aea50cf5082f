package io.ballast.generator;

import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.model.SteeringVectors;
import io.ballast.generator.store.ArtifactMetadata;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.generator.training.PretrainSettings;
import io.ballast.generator.training.Pretrainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/**
 * One tiny pretrained model per test JVM (about 10 s on 2 cores). Tests that read or write a
 * store get one of their own from {@link #newStore()}, holding that model as version
 * {@link #BASE_VERSION}: a shared store let one test's published model become another's
 * "latest", and so results depended on test order.
 */
public final class TinyModels {

    /** The tiny model's version in every store from {@link #newStore()}. */
    public static final int BASE_VERSION = 1;

    private static Pretrainer.Result result;
    private static ModelArtifact artifact;

    private TinyModels() {}

    public static synchronized Pretrainer.Result pretrained() {
        if (result == null) {
            result = new Pretrainer().train("bios", PretrainSettings.tiny(), null);
        }
        return result;
    }

    /** The tiny model as published once, in a store no test is given (so nothing is ever added beside it). */
    public static synchronized ModelArtifact published() {
        if (artifact == null) {
            artifact = publishBase(newEmptyStore());
        }
        return artifact;
    }

    /** A new store of the caller's own, holding only the tiny model as {@link #BASE_VERSION}. */
    public static LocalModelStore newStore() {
        LocalModelStore store = newEmptyStore();
        try {
            ModelArtifact copy =
                    store.importCopy(published(), ArtifactMetadata.Lineage.base("tiny test model", Map.of()));
            if (copy.version() != BASE_VERSION) {
                throw new IllegalStateException("a new store numbered the tiny model " + copy.version());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return store;
    }

    public static LanguageModel loadPublished() throws IOException {
        return LanguageModel.load(published());
    }

    /**
     * One always-open steering vector (gate bias 10) along the head's row for {@code token}, scaled to
     * {@code length}: it makes that token far more likely wherever it applies.
     */
    public static SteeringVectors steeringTowards(LanguageModel lm, String token, float length) {
        int width = lm.config().width();
        // DJL names a child's parameters after its position and name, e.g. 08head_weight
        float[] row = lm.block().getParameters().stream()
                .filter(p -> p.getKey().endsWith("head_weight"))
                .findFirst()
                .orElseThrow()
                .getValue()
                .getArray()
                .get(lm.tokenizer().id(token))
                .toFloatArray();
        double norm = 0;
        for (float x : row) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        float[] theta = new float[width];
        for (int i = 0; i < width; i++) {
            theta[i] = (float) (row[i] / norm * length);
        }
        return new SteeringVectors(
                -1, List.of("gender"), new float[][] {theta}, new float[][] {new float[width]}, new float[] {10f});
    }

    private static ModelArtifact publishBase(LocalModelStore store) {
        try {
            return pretrained().model().publishTo(store, ArtifactMetadata.Lineage.base("tiny test model", Map.of()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static LocalModelStore newEmptyStore() {
        try {
            return new LocalModelStore(Files.createTempDirectory("ballast-store-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

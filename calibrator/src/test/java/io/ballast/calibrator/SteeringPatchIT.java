package io.ballast.calibrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.calibrator.jobs.DriftCoalescerTest;
import io.ballast.generator.TinyModels;
import io.ballast.generator.service.ModelUpdates;
import io.ballast.generator.store.ArtifactMetadata;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.generator.store.SteeringPatch;
import io.ballast.schemas.DriftStatus;
import io.ballast.schemas.ModelAction;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.targets.TargetKey;
import io.ballast.schemas.targets.TargetPresets;
import io.ballast.schemas.topics.BallastTopic;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A drift alarm gets a steering patch on the live version, fitted and announced in seconds. */
class SteeringPatchIT {

    private static final String NURSES = "occupation:registered-nurses";

    @Test
    void givenADriftAlarm_whenItSettles_thenAVerifiedPatchForTheLiveVersionIsAnnouncedBeforeAnyJobRuns(
            @TempDir Path dir) throws Exception {
        try (CalibratorOnABroker kafka = new CalibratorOnABroker(dir)) {
            // given the tiny model as v1 in the calibrator's store, announced live, with uniform targets
            ModelArtifact v1 = new LocalModelStore(dir.resolve("store"))
                    .importCopy(TinyModels.published(), ArtifactMetadata.Lineage.base("tiny", Map.of()));
            kafka.send(BallastTopic.MODEL_UPDATES, "bios", ModelUpdates.of(v1, ModelAction.PROMOTE));
            for (TargetDistribution t : TargetPresets.uniform(0.08)) {
                kafka.send(BallastTopic.TARGETS, TargetKey.of(t.getAttribute(), t.getContextKey()), t);
            }
            // and a calibrator whose fine-tuning jobs wait an hour to coalesce, so only the patch runs
            try (CalibratorApp calibrator = kafka.start(Map.of(
                    CalibratorConfig.COALESCE_SECONDS,
                    "3600",
                    CalibratorConfig.PATCH_SETTLE_SECONDS,
                    "1",
                    CalibratorConfig.PATCH_EPOCHS,
                    "40"))) {
                // when the nurses' gender and race drift on v1
                long alarm = System.currentTimeMillis();
                kafka.send(
                        BallastTopic.DRIFT,
                        "nurses-gender",
                        DriftCoalescerTest.signal("sig-g", 1, NURSES, "gender", DriftStatus.OPEN));
                kafka.send(
                        BallastTopic.DRIFT,
                        "nurses-race",
                        DriftCoalescerTest.signal("sig-r", 1, NURSES, "race", DriftStatus.OPEN));

                // then a PATCH for v1 is announced, naming both signals
                ModelUpdate patched = kafka.modelUpdatesUntil(u -> u.getAction() == ModelAction.PATCH).stream()
                        .filter(u -> u.getAction() == ModelAction.PATCH)
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no PATCH announced within 60 s"));
                long seconds = (System.currentTimeMillis() - alarm) / 1000;
                assertThat(patched.getVersion()).isEqualTo(1);
                assertThat(patched.getSha256()).isEqualTo(v1.sha256());
                assertThat(patched.getPatch().getDriftSignalIds()).containsExactlyInAnyOrder("sig-g", "sig-r");
                // and the patch in the store matches its announced hash, steers v1, and moved the nurses onto target
                SteeringPatch patch = new LocalModelStore(dir.resolve("store"))
                        .resolvePatchVerified(
                                URI.create(patched.getPatch().getArtifactUri()),
                                patched.getPatch().getSha256());
                assertThat(patch.contents().version()).isEqualTo(1);
                assertThat(patch.contents().metrics().get("steeringMae.after"))
                        .as(
                                "steering MAE of the drifted pairs, %s, patch announced %d s after the alarm",
                                patch.contents().metrics(), seconds)
                        .isLessThan(patch.contents().metrics().get("steeringMae.before") / 2);
            }
        }
    }
}

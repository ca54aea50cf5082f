package io.ballast.calibrator.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.Targets;
import io.ballast.classifiers.ClassifierCatalog;
import io.ballast.generator.TinyModels;
import io.ballast.generator.model.LanguageModel;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.targets.TargetPresets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FineTuningLoopTest {

    @Test
    void anInterruptedRunStopsAfterTheStepInFlightAndCheckpointsIt(@TempDir Path checkpoints) throws Exception {
        // given a long KL+KTO run on the tiny model that checkpoints only at its end
        CalibrationSettings settings = CalibrationSettings.defaults()
                .withSeed(5L)
                .withSet(s -> new CalibrationSettings.SetBuilding(2, 8, 0))
                .withTraining(
                        t -> t.withEpochs(1_000).withCheckpointEvery(1_000_000).withTrainableBlocks(1));
        try (LanguageModel reference = TinyModels.loadPublished();
                LanguageModel policy = TinyModels.loadPublished()) {
            Targets targets = new Targets(TargetPresets.uniform(0.08).stream()
                    .filter(t -> t.getAttribute().equals("gender"))
                    .toList());
            List<CalibrationExample> set = new CalibrationSetBuilder(ClassifierCatalog.defaults())
                    .build(
                            reference,
                            Map.of("occupation:registered-nurses", List.of(Attribute.GENDER)),
                            targets,
                            settings);
            CountDownLatch thirdStep = new CountDownLatch(1);
            AtomicInteger reported = new AtomicInteger();
            AtomicReference<Throwable> ended = new AtomicReference<>();
            Thread training = new Thread(
                    () -> {
                        try {
                            new FineTuningLoop(settings.training())
                                    .run(
                                            policy,
                                            reference,
                                            set,
                                            new KlKtoObjective(
                                                    settings.training().weights(),
                                                    settings.training().batchSize(),
                                                    settings.seed()),
                                            checkpoints,
                                            (step, total, loss, parts) -> {
                                                reported.set(step);
                                                if (step == 3) {
                                                    thirdStep.countDown();
                                                    awaitInterrupt(); // holds the run at step 3 whatever the scheduler
                                                    // does
                                                }
                                            });
                        } catch (Throwable e) {
                            ended.set(e);
                        }
                    },
                    "training");
            training.start();
            assertThat(thirdStep.await(5, TimeUnit.MINUTES))
                    .as("step 3 reached")
                    .isTrue();

            // when its thread is interrupted after step 3 was reported (as the service's shutdownNow does)
            training.interrupt();
            training.join(TimeUnit.MINUTES.toMillis(2));

            // then it ends with a cancellation before starting step 4
            assertThat(training.isAlive()).isFalse();
            assertThat(ended.get()).isInstanceOf(TrainingCancelledException.class);
            int last = ((TrainingCancelledException) ended.get()).lastStep();
            assertThat(last).isEqualTo(3);
            assertThat(reported.get()).isEqualTo(3);

            // and the last finished step is checkpointed, so running again resumes there
            assertThat(checkpoints.resolve("step-" + last + ".bin")).exists();
            try (var files = Files.list(checkpoints)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly("step-" + last + ".bin");
            }
        }
    }

    private static void awaitInterrupt() {
        try {
            Thread.sleep(TimeUnit.MINUTES.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

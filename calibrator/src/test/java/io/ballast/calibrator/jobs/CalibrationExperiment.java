package io.ballast.calibrator.jobs;

import io.ballast.schemas.attributes.LexiconExtractor;
import io.ballast.schemas.targets.TargetPresets;
import io.ballast.calibrator.CalibrationSettings;
import io.ballast.calibrator.Targets;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.schemas.domain.Attribute;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class CalibrationExperiment {
    public static void main(String[] args) {
        LocalModelStore store = new LocalModelStore(Path.of(args[0]));
        CalibrationSettings d = CalibrationSettings.defaults();
        CalibrationSettings s = new CalibrationSettings(d.method(), new io.ballast.calibrator.training.CalibrationLoss.Weights(0.1, Double.parseDouble(args[4]), 1.0, 1.0), d.promptsPerContext(), d.responsesPerPrompt(), d.healthyContexts(),
                Integer.parseInt(args[1]), d.batchSize(), Float.parseFloat(args[3]), d.checkpointEvery(), Integer.parseInt(args[2]),
                d.improvementMargin(), d.healthyTolerance(), d.minConsistency(), d.maxPerplexityRatio(), d.seed(), Integer.parseInt(args[5]));
        Map<String, List<Attribute>> drifted = new LinkedHashMap<>();
        for (String c : List.of("registered-nurses", "electricians", "carpenters", "preschool-and-kindergarten-teachers",
                "dental-hygienists", "firefighters", "childcare-workers", "construction-laborers", "secretaries-and-administrative-assistants-except-legal-medical-and-executive",
                "aircraft-pilots-and-flight-engineers")) {
            drifted.put("occupation:" + c, List.of(Attribute.GENDER));
        }
        long t0 = System.currentTimeMillis();
        var outcome = new CalibrationJob(store, new LexiconExtractor(), s, Path.of("/tmp/calib-work"))
                .run(new CalibrationJob.Request("exp-" + System.currentTimeMillis(), "bios", 1, drifted, List.of()),
                        new Targets(TargetPresets.uniform(0.08).stream().filter(t -> t.getAttribute().equals("gender")).toList()), e -> System.out.println(e.getState() + " step=" + e.getStep() + " loss=" + e.getLoss() + " " + e.getMetrics() + " " + e.getReasons()));
        System.out.println("took " + (System.currentTimeMillis() - t0) + " ms");
        var r = outcome.report();
        if (r != null) {
            System.out.println("after  " + r.maeAfter());
            System.out.println("steering after  " + r.steeringMaeAfter());
            System.out.printf("drifted MAE %.3f -> %.3f; consistency %.3f -> %.3f; ppl %.3f -> %.3f%n", r.meanDriftedMaeBefore(), r.meanDriftedMaeAfter(),
                    r.consistencyBefore(), r.consistencyAfter(), r.perplexityBefore(), r.perplexityAfter());
        }
    }
}

package io.ballast.cli;

import io.ballast.calibrator.CalibratorApp;
import io.ballast.calibrator.CalibratorConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "calibrator", mixinStandardHelpOptions = true,
        description = {"Consume drift signals, run KL + KTO calibration jobs, gate, write to the store, announce promotions.",
            "Settings (properties, env upper-cased with '_', or --set): bootstrap.servers, schema.registry.url (required);",
            "  ballast.model.store, ballast.calibrator.work-dir, ballast.calibrator.group-id, ballast.http.host, ballast.http.port (8083),",
            "  ballast.calibrator.coalesce-seconds (10), ballast.calibrator.min-interval-seconds (60),",
            "  ballast.calibrator.method (kl_kto | ift | dpo), ballast.calibrator.steps (200), ballast.calibrator.learning-rate (4e-4),",
            "  ballast.calibrator.kto.beta (0.1), ballast.calibrator.kto.lambda-desirable (1), ballast.calibrator.kto.lambda-undesirable (1),",
            "  ballast.calibrator.lambda-kl (1), ballast.calibrator.responses-per-prompt (16), ballast.calibrator.evaluation-samples (400),",
            "  ballast.calibrator.gate.improvement-margin (0.02), ballast.calibrator.gate.min-consistency (0.95),",
            "  ballast.calibrator.gate.max-perplexity-ratio (1.05)."})
final class CalibratorCommand implements Callable<Integer> {

    @Mixin
    ServiceOptions options;

    @Override
    public Integer call() throws Exception {
        return RunningService.untilStopped(new CalibratorApp(CalibratorConfig.from(options.source())).start());
    }
}

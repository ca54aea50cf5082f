package io.ballast.cli;

import io.ballast.calibrator.CalibratorApp;
import io.ballast.calibrator.CalibratorConfig;
import io.ballast.runtime.Setting;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "calibrator",
        mixinStandardHelpOptions = true,
        description = {
            "Consume drift signals, run KL + KTO calibration jobs, gate, write to the store, announce promotions."
        })
final class CalibratorCommand implements Callable<Integer>, ServiceCommand {

    @Mixin
    ServiceOptions options;

    @Override
    public List<Setting<?>> settings() {
        return CalibratorConfig.SETTINGS;
    }

    @Override
    public Integer call() throws Exception {
        return RunningService.untilStopped(new CalibratorApp(CalibratorConfig.from(options.source())).start());
    }
}

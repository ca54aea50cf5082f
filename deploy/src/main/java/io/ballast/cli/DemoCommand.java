package io.ballast.cli;

import io.ballast.auditor.AuditorApp;
import io.ballast.auditor.AuditorConfig;
import io.ballast.calibrator.CalibratorApp;
import io.ballast.calibrator.CalibratorConfig;
import io.ballast.embedded.EmbeddedSchemaRegistry;
import io.ballast.embedded.LocalCluster;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.service.GeneratorApp;
import io.ballast.generator.service.GeneratorConfig;
import io.ballast.generator.service.ModelUpdates;
import io.ballast.generator.store.ArtifactMetadata;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.generator.store.ModelArtifact;
import io.ballast.generator.training.PretrainSettings;
import io.ballast.generator.training.Pretrainer;
import io.ballast.generator.training.ProgressBar;
import io.ballast.runtime.ConfigSource;
import io.ballast.schemas.ModelAction;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.attributes.Toxicity;
import io.ballast.schemas.registry.SchemaRegistryClient;
import io.ballast.schemas.serde.AvroSerializer;
import io.ballast.schemas.targets.TargetPresets;
import io.ballast.schemas.targets.TargetPublisher;
import io.ballast.schemas.topics.TopicProvisioner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "The closed loop on one machine: broker and registry, targets, the biased base model (pretrained once,",
            "then cached), generator, auditor and calibrator. Drift is detected, a calibration job runs, the gate promotes,",
            "generators hot-swap, and the distributions come back within tolerance; a report closes the run.",
            "--scenario toxicity: a bound instead (toxicity: toxic <= 0.005) that the base model's 5%% toxic bios break;",
            "the auditor's one-sided test alarms, a CONSTRAINT job fine-tunes, and the promoted version keeps to it."
        })
final class DemoCommand implements Callable<Integer> {

    static final List<String> DEFAULT_CONTEXTS = List.of(
            "occupation:registered-nurses",
            "occupation:electricians",
            "occupation:carpenters",
            "occupation:dental-hygienists",
            "occupation:firefighters",
            "occupation:childcare-workers",
            "occupation:construction-laborers",
            "occupation:preschool-and-kindergarten-teachers");

    /** The bound the toxicity scenario publishes by default: at most 0.5% of outputs toxic (issue 14's acceptance figure). */
    static final double TOXIC_LIMIT = 0.005;

    @Mixin
    DeviceOptions device;

    @Option(
            names = "--scenario",
            defaultValue = "distributions",
            description = "distributions (drifted attribute distributions against targets) or toxicity (a bound:"
                    + " toxic <= --toxic-limit, and no distribution targets) (default: ${DEFAULT-VALUE}).")
    String scenario;

    @Option(
            names = "--toxic-limit",
            defaultValue = "" + TOXIC_LIMIT,
            description = "--scenario toxicity: the bound's largest toxic share (default: ${DEFAULT-VALUE}).")
    double toxicLimit;

    @Option(
            names = "--toxic-share",
            description = "Share of toxic bios in the base model's corpus (default: the size's, 0.05 for default,"
                    + " 0 for tiny).")
    Double toxicShare;

    @Option(names = "--targets", defaultValue = "uniform", description = "uniform or bls (default: ${DEFAULT-VALUE}).")
    String targets;

    @Option(
            names = "--attributes",
            split = ",",
            defaultValue = "gender,race,sentiment",
            description = "Audited and calibrated attributes (default: ${DEFAULT-VALUE}).")
    List<String> attributes;

    @Option(
            names = "--contexts",
            split = ",",
            description = "Contexts the generators serve (default: 8 strongly skewed occupations).")
    List<String> contexts = DEFAULT_CONTEXTS;

    @Option(
            names = "--rate",
            defaultValue = "6",
            description = "Generator requests per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(
            names = "--samples-per-request",
            defaultValue = "4",
            description = "Responses per request (default: ${DEFAULT-VALUE}).")
    int samplesPerRequest;

    @Option(
            names = "--size",
            defaultValue = "default",
            description = "Base model size: default or tiny (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(
            names = "--min-samples",
            defaultValue = "150",
            description = "Samples per context of the new version before judging recovery.")
    int minSamples;

    @Option(
            names = "--data-dir",
            defaultValue = "${sys:user.home}/.ballast/demo",
            description = "Cache and run data (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(
            names = "--http-port",
            defaultValue = "8082",
            description = "Dashboard port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int httpPort;

    @Option(
            names = "--exit-when-done",
            description = "Exit when the loop has closed (0 if every drifted context recovered).")
    boolean exitWhenDone;

    @Option(
            names = "--timeout-minutes",
            defaultValue = "14",
            description = "Give up after this long with --exit-when-done (default: ${DEFAULT-VALUE}).")
    int timeoutMinutes;

    @Option(
            names = "--calibrator-set",
            description = "Calibrator setting key=value (repeatable), e.g. ballast.calibrator.epochs=6.")
    Map<String, String> calibratorSettings = new LinkedHashMap<>();

    @Option(names = "--report", description = "Also write the report as JSON here (default: <data-dir>/report.json).")
    Path reportFile;

    @Override
    public Integer call() throws Exception {
        long t0 = System.currentTimeMillis();
        if (!(toxicLimit > 0 && toxicLimit < 1)) {
            throw new IllegalArgumentException("--toxic-limit: a share between 0 and 1 (exclusive), not " + toxicLimit);
        }
        if (toxicShare != null && !(toxicShare >= 0 && toxicShare < 1)) {
            throw new IllegalArgumentException("--toxic-share: a share from 0 to below 1, not " + toxicShare);
        }
        // a missing registry fails now, not after minutes of pretraining
        EmbeddedSchemaRegistry.locateRunnerJar();
        Path run = Files.createDirectories(dataDir.resolve("runs")).resolve("run-" + System.currentTimeMillis());
        Path internalLog = run.resolve("ballast.log");
        if (ConsoleLogging.routeInternalLogsTo(internalLog)) {
            System.out.printf(
                    "internal logs (broker, Kafka Streams, clients): %s; registry: %s%n",
                    internalLog.toAbsolutePath(),
                    run.resolve("cluster")
                            .resolve("registry")
                            .resolve("registry.log")
                            .toAbsolutePath());
        }
        ModelArtifact base = baseModel();
        LocalModelStore store = new LocalModelStore(run.resolve("models"));
        ModelArtifact v1 = store.importCopy(
                base,
                ArtifactMetadata.Lineage.base(
                        base.metadata().description(), base.metadata().metrics()));
        try (LocalCluster cluster = new LocalCluster(run.resolve("cluster")).start()) {
            new TopicProvisioner(cluster.bootstrapServers(), (short) 1).ensureAll();
            SchemaRegistryClient registry = SchemaRegistryClient.shared(cluster.registryUrl());
            List<TargetDistribution> chosen = chosenTargets();
            try (KafkaProducer<String, TargetDistribution> p = new KafkaProducer<>(
                            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                            new StringSerializer(),
                            new AvroSerializer<>(registry, true, false));
                    KafkaProducer<String, ModelUpdate> u = new KafkaProducer<>(
                            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                            new StringSerializer(),
                            new AvroSerializer<>(registry, true, false))) {
                TargetPublisher.publish(p, chosen);
                ModelUpdates.announce(u, ModelUpdates.of(v1, ModelAction.PROMOTE));
            }
            Map<String, String> common = Map.of(
                    "bootstrap.servers", cluster.bootstrapServers(), "schema.registry.url", cluster.registryUrl());
            Map<String, String> auditorSettings = new HashMap<>(common);
            auditorSettings.put(AuditorConfig.STATE_DIR, run.resolve("auditor").toString());
            auditorSettings.put(AuditorConfig.HTTP_PORT, String.valueOf(httpPort));
            auditorSettings.put(AuditorConfig.APPLICATION_ID, "ballast-demo-auditor");
            // minutes-long run: one-minute windows hopping every 15 s draw MAE over time on the dashboard
            auditorSettings.put(AuditorConfig.WINDOW_SIZE, "60");
            auditorSettings.put(AuditorConfig.WINDOW_ADVANCE, "15");
            Map<String, String> calibrator = new HashMap<>(common);
            calibrator.put(CalibratorConfig.MODEL_STORE, store.root().toString());
            calibrator.put(CalibratorConfig.WORK_DIR, run.resolve("calibrator").toString());
            calibrator.put(CalibratorConfig.HTTP_PORT, "0");
            // the job waits 40 s for the signals of the incident: long enough for the steering patch, live
            // seconds after the first alarm, to serve about 200 outputs per context before the promotion replaces it
            calibrator.put(CalibratorConfig.COALESCE_SECONDS, "40");
            calibrator.put(CalibratorConfig.DEVICE, device.device);
            calibrator.putAll(calibratorSettings);
            Map<String, String> generator = new HashMap<>(common);
            generator.put(GeneratorConfig.MODEL_STORE, store.root().toString());
            generator.put(GeneratorConfig.HTTP_PORT, "0");
            generator.put(GeneratorConfig.PLAN_CONTEXTS, String.join(",", contexts));
            generator.put(GeneratorConfig.PLAN_RATE, String.valueOf(rate));
            generator.put(GeneratorConfig.PLAN_SAMPLES, String.valueOf(samplesPerRequest));
            generator.put(GeneratorConfig.QUEUE_CAPACITY, "16");
            generator.put(GeneratorConfig.DEVICE, device.device);
            try (AuditorApp auditor = new AuditorApp(AuditorConfig.from(ConfigSource.ofMap(auditorSettings))).start();
                    CalibratorApp calibratorApp =
                            new CalibratorApp(CalibratorConfig.from(ConfigSource.ofMap(calibrator))).start();
                    DemoMonitor monitor = new DemoMonitor(
                                    cluster, registry, "http://127.0.0.1:" + auditor.httpPort(), chosen, minSamples)
                            .start();
                    GeneratorApp generatorApp =
                            new GeneratorApp(GeneratorConfig.from(ConfigSource.ofMap(generator))).start()) {
                System.out.printf(
                        "%nBallast demo: dashboard at http://127.0.0.1:%d/   (broker %s, registry %s)%n",
                        auditor.httpPort(), cluster.bootstrapServers(), cluster.registryUrl());
                System.out.printf(
                        "serving %d contexts at %.0f requests/s x %d samples; targets: %s; ready after %.0f s%n%n",
                        contexts.size(),
                        rate,
                        samplesPerRequest,
                        toxicity() ? "toxicity: toxic <= " + toxicLimit : targets + " " + attributes,
                        (System.currentTimeMillis() - t0) / 1000.0);
                long deadline = System.currentTimeMillis() + timeoutMinutes * 60_000L;
                StatusPrinter status = StatusPrinter.forStandardOutput();
                while (!(exitWhenDone && (monitor.closed() || System.currentTimeMillis() > deadline))) {
                    Thread.sleep(2000);
                    monitor.refresh(
                            generatorApp.slot().currentVersion(),
                            generatorApp.slot().currentPatchId());
                    status.show(monitor.statusLine());
                }
                status.end();
                DemoReport report = monitor.report(
                        System.currentTimeMillis() - t0,
                        BallastVersion.current(),
                        generatorApp.slot().history());
                System.out.println(report.table());
                Path json = reportFile != null ? reportFile : dataDir.resolve("report.json");
                report.writeJson(json);
                Path chart =
                        json.resolveSibling(json.getFileName().toString().replaceFirst("\\.json$", "") + "-mae.svg");
                DemoTimelineChart.write(report, chart);
                System.out.printf("MAE over time drawn in %s%n", chart.toAbsolutePath());
                System.out.printf("report also written to %s%n", json.toAbsolutePath());
                return monitor.closed() && monitor.allRecovered() ? 0 : 1;
            }
        }
    }

    private boolean toxicity() {
        return scenario.equals("toxicity");
    }

    /**
     * The toxicity scenario publishes the bound alone: a distribution alarm would start its own job
     * and steering patch, and the run is about the constraint; its gate still checks that the served
     * steering distributions do not move.
     */
    private List<TargetDistribution> chosenTargets() {
        return switch (scenario) {
            case "toxicity" -> List.of(TargetPresets.bound(Toxicity.KEY, Toxicity.TOXIC, toxicLimit, "demo"));
            case "distributions" ->
                TargetPresets.named(targets, 0.08).stream()
                        .filter(t -> attributes.contains(t.getAttribute()))
                        .toList();
            default ->
                throw new IllegalArgumentException("--scenario: distributions or toxicity, not '" + scenario + "'");
        };
    }

    /**
     * The biased base model: pretrained once per size and corpus into the data dir, reused after. The
     * cache is keyed by the corpus's toxic share: a base model cached before the corpus had toxic bios
     * has none, and the toxicity scenario would wait for an alarm that cannot come.
     */
    private ModelArtifact baseModel() throws Exception {
        PretrainSettings preset = size.equals("tiny") ? PretrainSettings.tiny() : PretrainSettings.defaults();
        PretrainSettings settings = toxicShare == null ? preset : preset.withToxicShare(toxicShare);
        LocalModelStore cache = new LocalModelStore(dataDir.resolve("base-" + size + "-toxic" + settings.toxicShare()));
        var cached = cache.latest("bios");
        if (cached.isPresent()) {
            System.out.printf("using cached base model %s%n", cached.get().directory());
            return cached.get();
        }
        System.out.printf("pretraining the %s base model (once; cached in %s)%n", size, cache.root());
        Pretrainer.Result result =
                new Pretrainer(device.resolve()).train("bios", settings, new ProgressBar("pretrain", settings.steps()));
        try (LanguageModel lm = result.model()) {
            return lm.publishTo(
                    cache,
                    ArtifactMetadata.Lineage.base(
                            "demo base model (" + size + ")", Map.of("heldOutPerplexity", result.heldOutPerplexity())));
        }
    }
}

package io.ballast.calibrator;

import ai.djl.Device;
import io.ballast.calibrator.jobs.CalibrationJob;
import io.ballast.calibrator.jobs.ConstraintJob;
import io.ballast.calibrator.jobs.DriftCoalescer;
import io.ballast.calibrator.jobs.SteeringPatchJob;
import io.ballast.calibrator.steering.SteeringPatcher;
import io.ballast.calibrator.training.TrainingCancelledException;
import io.ballast.classifiers.ClassifierCatalog;
import io.ballast.generator.model.ComputeDevice;
import io.ballast.generator.service.ModelUpdates;
import io.ballast.generator.store.LocalModelStore;
import io.ballast.generator.store.SteeringPatch;
import io.ballast.runtime.ServiceHttpServer;
import io.ballast.runtime.ServiceHttpServer.Response;
import io.ballast.schemas.CalibrationJobEvent;
import io.ballast.schemas.CalibrationJobState;
import io.ballast.schemas.DeadLetter;
import io.ballast.schemas.DriftSignal;
import io.ballast.schemas.ModelAction;
import io.ballast.schemas.ModelUpdate;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.attributes.AttributeClassifiers;
import io.ballast.schemas.dlq.DeadLetterPublisher;
import io.ballast.schemas.registry.SchemaRegistry;
import io.ballast.schemas.serde.AvroDeserializer;
import io.ballast.schemas.serde.AvroSerializer;
import io.ballast.schemas.topics.BallastTopic;
import io.ballast.schemas.topics.ConsumerLoop;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ballast calibrator}: follows targets, live versions and drift signals; answers drift within
 * seconds with a steering patch on the live version, and coalesces open signals into fine-tuning
 * jobs (one at a time per model); runs them; publishes each job's lifecycle to {@code
 * ballast.calibration-jobs} and each patch and promotion to {@code ballast.model-updates}.
 *
 * <p>Drift offsets are committed only once a job has ended, so a calibrator killed mid-training
 * re-reads the same signals, re-forms the same job id and resumes from its checkpoint.
 */
public final class CalibratorApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CalibratorApp.class);

    private final CalibratorConfig config;
    private final PrometheusMeterRegistry metrics = ServiceHttpServer.newRegistry();
    private final Targets targets = new Targets(List.of());
    private final Map<String, Integer> liveVersions = new ConcurrentHashMap<>();
    private final DriftCoalescer coalescer;
    private final Map<CalibrationJobState, Counter> jobCounters = new EnumMap<>(CalibrationJobState.class);
    private final ExecutorService jobs = Executors.newSingleThreadExecutor(r -> new Thread(r, "calibration-job"));
    // patches fit on their own thread: a patch must not queue behind a fine-tuning job that takes minutes
    private final ExecutorService patchFits = Executors.newSingleThreadExecutor(r -> new Thread(r, "steering-patch"));
    private final SteeringPatcher patcher;
    private final Counter patchesAnnounced;
    private final Counter patchesFailed;
    // a patch names the version it steers: it must never be announced once another version is live
    private final Object announcing = new Object();
    private volatile boolean running = true;
    private Thread followerThread;
    private Thread driftThread;
    private KafkaConsumer<byte[], byte[]> follower;
    private KafkaConsumer<byte[], byte[]> drift;
    private ConsumerLoop followerLoop;
    private ConsumerLoop driftLoop;
    private KafkaProducer<String, CalibrationJobEvent> lifecycle;
    private KafkaProducer<String, ModelUpdate> updates;
    private KafkaProducer<String, DeadLetter> dlqProducer;
    private DeadLetterPublisher deadLetters;
    private ServiceHttpServer http;
    // resolved first thing at start, so ballast.device=gpu without a usable GPU stops the service before it consumes
    private Device device;

    public CalibratorApp(CalibratorConfig config) {
        this.config = config;
        this.coalescer = new DriftCoalescer(config.coalesceMillis(), config.minIntervalMillis(), config.retry());
        this.patcher = new SteeringPatcher(config.patchSettleMillis());
        this.patchesAnnounced = Counter.builder("ballast_calibrator_patches")
                .tag("outcome", "announced")
                .description("Steering patches fitted and announced, or failed")
                .register(metrics);
        this.patchesFailed = Counter.builder("ballast_calibrator_patches")
                .tag("outcome", "failed")
                .register(metrics);
        // every outcome's counter exists from the start at 0, so increase() alerts see the first rejection
        for (CalibrationJobState state :
                List.of(CalibrationJobState.PROMOTED, CalibrationJobState.REJECTED, CalibrationJobState.FAILED)) {
            jobCounters.put(
                    state,
                    Counter.builder("ballast_calibrator_jobs")
                            .tag("outcome", state.name().toLowerCase())
                            .description("Calibration jobs by how they ended")
                            .register(metrics));
        }
        Gauge.builder(
                        "ballast_calibrator_escalated_models",
                        coalescer,
                        c -> c.escalations().size())
                .description("Models whose drift outlasted every calibration attempt and waits for an operator")
                .register(metrics);
    }

    public CalibratorApp start() throws Exception {
        device = ComputeDevice.resolve(config.device());
        SchemaRegistry registry = SchemaRegistry.forUrl(config.schemaRegistryUrl());
        Map<String, Object> producerConfig = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true);
        lifecycle = new KafkaProducer<>(
                producerConfig, new StringSerializer(), new AvroSerializer<>(registry, true, false));
        updates = new KafkaProducer<>(
                producerConfig, new StringSerializer(), new AvroSerializer<>(registry, true, false));
        dlqProducer = new KafkaProducer<>(
                producerConfig, new StringSerializer(), new AvroSerializer<>(registry, true, false));
        deadLetters = new DeadLetterPublisher(dlqProducer, "calibrator");
        follower = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        config.bootstrapServers(),
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> followed = new ArrayList<>();
        for (BallastTopic t : List.of(BallastTopic.TARGETS, BallastTopic.MODEL_UPDATES)) {
            follower.partitionsFor(t.topicName())
                    .forEach(p -> followed.add(new TopicPartition(p.topic(), p.partition())));
        }
        follower.assign(followed);
        follower.seekToBeginning(followed);
        drift = new KafkaConsumer<>(
                driftConsumerConfig(config.bootstrapServers(), config.groupId()),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        drift.subscribe(List.of(BallastTopic.DRIFT.topicName()));

        AvroDeserializer<TargetDistribution> targetReader = new AvroDeserializer<>(TargetDistribution.class, registry);
        AvroDeserializer<ModelUpdate> updateReader = new AvroDeserializer<>(ModelUpdate.class, registry);
        AvroDeserializer<DriftSignal> driftReader = new AvroDeserializer<>(DriftSignal.class, registry);
        // a drift signal is judged against the live version: read targets and model updates to their
        // end first, or a signal for a version already replaced could start a job on a stale base
        followerLoop = new ConsumerLoop("calibrator follower", follower, deadLetters);
        driftLoop = new ConsumerLoop("calibrator drift consumer", drift, deadLetters);
        ConsumerLoop.RecordHandler targetsAndUpdates = r -> apply(r, targetReader, updateReader);
        followerLoop.catchUp(targetsAndUpdates);
        log.info("caught up on targets and model updates: live versions {}", liveVersions);
        followerThread = new Thread(
                () -> followerLoop.run(Duration.ofMillis(500), targetsAndUpdates, () -> {}), "calibrator-follower");
        driftThread = new Thread(() -> consumeDrift(driftReader), "calibrator-drift");
        followerThread.start();
        driftThread.start();
        http = new ServiceHttpServer(
                        config.httpHost(),
                        config.httpPort(),
                        metrics,
                        () -> running && followerLoop.healthy() && driftLoop.healthy())
                .start();
        http.route("/api/escalations", ex -> Response.json(200, coalescer.escalations()));
        log.info("calibrator on http://{}:{}, store {}", config.httpHost(), http.port(), config.modelStore());
        return this;
    }

    private void apply(
            ConsumerRecord<byte[], byte[]> r,
            AvroDeserializer<TargetDistribution> targetReader,
            AvroDeserializer<ModelUpdate> updateReader) {
        if (r.value() == null) {
            return;
        }
        if (r.topic().equals(BallastTopic.TARGETS.topicName())) {
            targets.put(targetReader.deserialize(r.topic(), r.value()));
            coalescer.rearmAll();
        } else {
            ModelUpdate u = updateReader.deserialize(r.topic(), r.value());
            liveVersions.put(u.getModelId(), u.getVersion());
        }
    }

    private void consumeDrift(AvroDeserializer<DriftSignal> reader) {
        driftLoop.run(
                Duration.ofMillis(500),
                r -> {
                    DriftSignal s = reader.deserialize(r.topic(), r.value());
                    coalescer.accept(s, liveVersions.get(s.getModelId()), System.currentTimeMillis());
                    if (config.patching()) {
                        patcher.accept(s, liveVersions.get(s.getModelId()), System.currentTimeMillis());
                    }
                },
                () -> {
                    patcher.nextDue(System.currentTimeMillis(), liveVersions::get)
                            .ifPresent(p -> patchFits.submit(() -> runPatch(p)));
                    var due = coalescer.nextDue(System.currentTimeMillis(), liveVersions::get);
                    if (due.isPresent()) {
                        CalibrationJob.Request request = due.get();
                        publish(CalibrationJobEvent.newBuilder()
                                .setJobId(request.jobId())
                                .setModelId(request.modelId())
                                .setBaseVersion(request.baseVersion())
                                .setState(CalibrationJobState.QUEUED)
                                .setContexts(List.copyOf(request.drifted().keySet()))
                                .setDriftSignalIds(request.driftSignalIds())
                                .setMethod(
                                        request.isConstraint()
                                                ? ConstraintJob.METHOD
                                                : config.settings().method().name())
                                .setAt(Instant.now())
                                .build());
                        jobs.submit(() -> runJob(request));
                    }
                    if (coalescer.isIdle()) {
                        drift.commitSync();
                    }
                });
    }

    private AttributeClassifiers classifiers;

    /** The configured classifiers, built on first use (the encoder, if chosen, loads once). */
    private synchronized AttributeClassifiers classifiers() {
        if (classifiers == null) {
            classifiers = ClassifierCatalog.build(config.classifiers());
        }
        return classifiers;
    }

    private void runJob(CalibrationJob.Request request) {
        boolean ended = false;
        try {
            LocalModelStore store = new LocalModelStore(config.modelStore());
            // a retry draws another calibration set and another training order
            CalibrationSettings settings = config.settings();
            settings = settings.withSeed(settings.seed() + coalescer.failedAttempts(request.modelId()));
            // a bound broken (toxicity) is a constraint job; drift of a distribution the fine-tuning job
            CalibrationJob.Outcome outcome = request.isConstraint()
                    ? new ConstraintJob(
                                    store,
                                    classifiers().toxicityLabels(),
                                    settings,
                                    config.constraints(),
                                    config.workDir(),
                                    device)
                            .run(request, this::publish)
                    : new CalibrationJob(store, classifiers(), settings, config.workDir(), device)
                            .run(request, targets, this::publish);
            jobCounters.get(outcome.state()).increment();
            if (outcome.state() == CalibrationJobState.PROMOTED) {
                // a promotion carries no patch: generators load the new version unpatched, retiring the patch
                synchronized (announcing) {
                    ModelUpdates.announce(updates, ModelUpdates.of(outcome.candidate(), ModelAction.PROMOTE));
                    liveVersions.put(request.modelId(), outcome.candidate().version());
                }
                log.info(
                        "job {} promoted {} v{}",
                        request.jobId(),
                        request.modelId(),
                        outcome.candidate().version());
            } else {
                log.warn("job {} ended {}: {}", request.jobId(), outcome.state(), outcome.reasons());
            }
            ended = true;
            coalescer
                    .finished(request, outcome.state(), outcome.reasons(), System.currentTimeMillis())
                    .ifPresent(e -> {
                        log.warn(
                                "{} v{}: drift on {} outlasted {} attempts (last {}); escalated, not retried until a new episode or "
                                        + "a target change",
                                e.modelId(),
                                e.baseVersion(),
                                e.contexts(),
                                e.attempts(),
                                e.lastState());
                        publish(CalibrationJobEvent.newBuilder()
                                .setJobId(request.jobId())
                                .setModelId(request.modelId())
                                .setBaseVersion(request.baseVersion())
                                .setState(CalibrationJobState.ESCALATED)
                                .setContexts(e.contexts())
                                .setDriftSignalIds(e.driftSignalIds())
                                .setReasons(e.lastReasons())
                                .setAt(Instant.now())
                                .build());
                    });
        } catch (TrainingCancelledException e) {
            log.info(
                    "job {} stopped by shutdown after step {}; it resumes there when its signals are read again",
                    request.jobId(),
                    e.lastStep());
        } catch (Exception e) {
            log.error("job {} could not be announced", request.jobId(), e);
        } finally {
            if (!ended) {
                coalescer.finished(request.modelId(), System.currentTimeMillis());
            }
        }
    }

    /** Fits a steering patch and announces it, if its version is still the live one. */
    private void runPatch(SteeringPatcher.Request request) {
        try {
            LocalModelStore store = new LocalModelStore(config.modelStore());
            SteeringPatch patch = new SteeringPatchJob(
                            store, classifiers(), config.settings(), config.patches(), config.workDir(), device)
                    .run(request, targets);
            synchronized (announcing) {
                Integer live = liveVersions.get(request.modelId());
                if (live != null && live != request.version()) {
                    log.info("patch {} not announced: v{} is live now", patch.patchId(), live);
                    return;
                }
                ModelUpdates.announce(
                        updates, ModelUpdates.patched(store.get(request.modelId(), request.version()), patch));
            }
            patchesAnnounced.increment();
            log.info("announced patch {} for {} v{}", patch.patchId(), request.modelId(), request.version());
        } catch (Exception e) {
            patchesFailed.increment();
            log.error("steering patch for {} v{} failed", request.modelId(), request.version(), e);
        } finally {
            patcher.finished(request, System.currentTimeMillis());
        }
    }

    private void publish(CalibrationJobEvent e) {
        lifecycle.send(new ProducerRecord<>(BallastTopic.CALIBRATION_JOBS.topicName(), e.getJobId(), e));
        if (e.getState() != CalibrationJobState.RUNNING) {
            log.info("job {} {}", e.getJobId(), e.getState());
        }
    }

    public int httpPort() {
        return http.port();
    }

    /**
     * The drift consumer's settings. The auditor writes {@code ballast.drift} in exactly-once
     * transactions; reading uncommitted data would let a job start from a signal whose transaction
     * was aborted (exactly what a crashed auditor leaves behind), so only committed records are read.
     */
    static Map<String, Object> driftConsumerConfig(String bootstrapServers, String groupId) {
        return Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG,
                groupId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed");
    }

    /**
     * Graceful: stop taking signals; interrupt a running job, whose training stops after the step in
     * flight and checkpoints it (the signals' offsets stay uncommitted, so it resumes on restart); close clients.
     */
    @Override
    public void close() {
        running = false;
        if (driftLoop != null) {
            driftLoop.stop();
        }
        if (followerLoop != null) {
            followerLoop.stop();
        }
        jobs.shutdownNow();
        patchFits.shutdownNow();
        try {
            jobs.awaitTermination(30, TimeUnit.SECONDS);
            patchFits.awaitTermination(30, TimeUnit.SECONDS);
            if (driftThread != null) {
                driftThread.join(10_000);
            }
            if (followerThread != null) {
                followerThread.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (AutoCloseable c : new AutoCloseable[] {lifecycle, updates, dlqProducer, http}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                log.warn("closing {}: {}", c, e.toString());
            }
        }
        log.info("calibrator stopped");
    }
}

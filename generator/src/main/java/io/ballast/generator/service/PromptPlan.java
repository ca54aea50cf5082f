package io.ballast.generator.service;

import io.ballast.generator.corpus.BioCorpus;
import io.ballast.generator.sampling.SamplingParams;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates continuously for a set of contexts at a fixed request rate, round robin, through the
 * same {@link GenerationService} path as HTTP requests. When the queue is full it waits: the plan
 * slows down rather than dropping work.
 */
public final class PromptPlan implements Runnable, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PromptPlan.class);

    private final List<String> contexts;
    private final double requestsPerSecond;
    private final int samplesPerRequest;
    private final SamplingParams sampling;
    private final GenerationService service;
    private final BioCorpus corpus = BioCorpus.withDefaults();
    private final Random random = new Random();
    private volatile boolean running = true;
    private final Thread thread = new Thread(this, "prompt-plan");

    public PromptPlan(
            List<String> contexts,
            double requestsPerSecond,
            int samplesPerRequest,
            SamplingParams sampling,
            GenerationService service) {
        this.contexts = contexts;
        this.requestsPerSecond = requestsPerSecond;
        this.samplesPerRequest = samplesPerRequest;
        this.sampling = sampling;
        this.service = service;
    }

    public PromptPlan start() {
        if (!contexts.isEmpty() && requestsPerSecond > 0) {
            thread.start();
            log.info(
                    "prompt plan: {} contexts, {} requests/s, {} samples each",
                    contexts.size(),
                    requestsPerSecond,
                    samplesPerRequest);
        }
        return this;
    }

    @Override
    public void run() {
        long intervalNanos = (long) (1e9 / requestsPerSecond);
        long next = System.nanoTime();
        int i = 0;
        while (running) {
            String context = contexts.get(i++ % contexts.size());
            int template = random.nextInt(BioCorpus.TRAIN_PROMPTS.size());
            String prompt = corpus.prompt(context, BioCorpus.TRAIN_PROMPTS.get(template));
            try {
                while (running
                        && !service.offer(
                                context,
                                "plan:" + template,
                                prompt,
                                samplesPerRequest,
                                sampling,
                                Duration.ofMillis(200))) {
                    next = System.nanoTime(); // backpressure: do not try to catch up afterwards
                }
                next += intervalNanos;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

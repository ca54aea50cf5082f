package io.ballast.generator.service;

import io.ballast.generator.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients requesting from a generator continuously, as the load tests put it under load: each
 * finished request goes to a listener with when it started and ended; a failed one is counted.
 */
final class ClientLoad implements AutoCloseable {

    /** What a served request reports. */
    interface Listener {
        void served(long startedAt, long finishedAt, GenerationRequest.Result result);
    }

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger failures = new AtomicInteger();
    private final List<Thread> clients = new ArrayList<>();

    /** Starts {@code clients} threads, each submitting {@code n} responses for {@code prompt} until closed. */
    static ClientLoad start(GeneratorApp app, String context, String prompt, int clients, int n, Listener listener) {
        ClientLoad load = new ClientLoad();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                while (load.running.get()) {
                    long start = System.currentTimeMillis();
                    try {
                        GenerationRequest.Result r = app.service()
                                .submit(context, "test", prompt, n, SamplingParams.defaults())
                                .get();
                        listener.served(start, System.currentTimeMillis(), r);
                    } catch (Exception e) {
                        load.failures.incrementAndGet();
                    }
                }
            });
            // daemon: a test that fails midway must not leave them holding the JVM open
            t.setDaemon(true);
            t.start();
            load.clients.add(t);
        }
        return load;
    }

    int failures() {
        return failures.get();
    }

    /** Stops the clients after their requests in flight. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : clients) {
            t.join();
        }
    }
}

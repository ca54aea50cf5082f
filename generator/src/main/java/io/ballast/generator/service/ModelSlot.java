package io.ballast.generator.service;

import io.ballast.generator.model.LanguageModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The model being served, swappable atomically while requests run. A request holds a
 * {@link Lease} for as long as it uses the model; a swapped-out model is closed when its last
 * lease is released, never under a running request.
 */
public final class ModelSlot implements AutoCloseable {

    /** When a version went live (epoch ms), for audits of which version served what. */
    public record LiveSince(int version, long sinceMillis) {}

    private static final class Served {
        final LanguageModel model;
        // one reference held by the slot itself while this model is current
        final AtomicInteger references = new AtomicInteger(1);

        Served(LanguageModel model) {
            this.model = model;
        }

        boolean tryRetain() {
            for (int r = references.get(); r > 0; r = references.get()) {
                if (references.compareAndSet(r, r + 1)) {
                    return true;
                }
            }
            return false;
        }

        void release(AtomicInteger closedCounter) {
            if (references.decrementAndGet() == 0) {
                model.close();
                closedCounter.incrementAndGet();
            }
        }
    }

    /** The right to use one model until {@link #close()}. */
    public final class Lease implements AutoCloseable {
        private final Served served;
        private boolean released;

        private Lease(Served served) {
            this.served = served;
        }

        public LanguageModel model() {
            return served.model;
        }

        public int version() {
            return served.model.version();
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                served.release(closedModels);
            }
        }
    }

    private final AtomicReference<Served> current;
    private final AtomicInteger closedModels = new AtomicInteger();
    private final List<LiveSince> history = new ArrayList<>();

    public ModelSlot(LanguageModel initial) {
        this.current = new AtomicReference<>(new Served(initial));
        history.add(new LiveSince(initial.version(), System.currentTimeMillis()));
    }

    public Lease acquire() {
        while (true) {
            Served s = current.get();
            if (s == null) {
                throw new IllegalStateException("the model slot is closed");
            }
            if (s.tryRetain()) {
                return new Lease(s);
            }
            // it was swapped out and closed between the read and the retain: read again
        }
    }

    /** Makes {@code next} current; the previous model closes after its last lease. */
    public void swap(LanguageModel next) {
        Served old;
        synchronized (history) {
            old = current.getAndSet(new Served(next));
            history.add(new LiveSince(next.version(), System.currentTimeMillis()));
        }
        if (old != null) {
            old.release(closedModels);
        }
    }

    public int currentVersion() {
        Served s = current.get();
        return s == null ? -1 : s.model.version();
    }

    public List<LiveSince> history() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    /** Models closed after being swapped out (or at shutdown). */
    public int closedModels() {
        return closedModels.get();
    }

    @Override
    public void close() {
        Served s = current.getAndSet(null);
        if (s != null) {
            s.release(closedModels);
        }
    }
}

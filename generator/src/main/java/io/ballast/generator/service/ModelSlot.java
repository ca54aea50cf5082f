package io.ballast.generator.service;

import io.ballast.generator.model.CausalLanguageModel;
import io.ballast.generator.model.LanguageModel;
import io.ballast.generator.store.SteeringPatch;
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

    /** When a version (and patch, or null) went live (epoch ms), for audits of which variant served what. */
    public record LiveSince(int version, String patchId, long sinceMillis) {}

    /** A loaded model, closed when the slot and every lease on it have let go. */
    private static final class Loaded {
        final LanguageModel model;
        // one reference held by the slot itself while this model is current
        final AtomicInteger references = new AtomicInteger(1);

        Loaded(LanguageModel model) {
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

    /** What new requests get: a loaded model and the steering patch on it (null: none). */
    private record Served(Loaded loaded, SteeringPatch patch) {}

    /** The right to use one model, with the patch that was live when it was taken, until {@link #close()}. */
    public final class Lease implements AutoCloseable {
        private final Served served;
        private boolean released;

        private Lease(Served served) {
            this.served = served;
        }

        public LanguageModel model() {
            return served.loaded.model;
        }

        public int version() {
            return served.loaded.model.version();
        }

        /** The steering patch this lease serves with, or null. */
        public SteeringPatch patch() {
            return served.patch;
        }

        /** Runs the model with this lease's patch on the calling thread until the scope closes. */
        public CausalLanguageModel.SteeringScope steering() {
            return model().block()
                    .steeredBy(
                            served.patch == null
                                    ? null
                                    : served.patch.contents().steering());
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                served.loaded.release(closedModels);
            }
        }
    }

    private final AtomicReference<Served> current;
    private final AtomicInteger closedModels = new AtomicInteger();
    private final List<LiveSince> history = new ArrayList<>();

    public ModelSlot(LanguageModel initial) {
        this.current = new AtomicReference<>(new Served(new Loaded(initial), null));
        history.add(new LiveSince(initial.version(), null, System.currentTimeMillis()));
    }

    public Lease acquire() {
        while (true) {
            Served s = current.get();
            if (s == null) {
                throw new IllegalStateException("the model slot is closed");
            }
            if (s.loaded.tryRetain()) {
                return new Lease(s);
            }
            // it was swapped out and closed between the read and the retain: read again
        }
    }

    /** Makes {@code next} current, unpatched; the previous model closes after its last lease. */
    public void swap(LanguageModel next) {
        Served old;
        synchronized (history) {
            old = current.getAndSet(new Served(new Loaded(next), null));
            history.add(new LiveSince(next.version(), null, System.currentTimeMillis()));
        }
        if (old != null) {
            old.loaded.release(closedModels);
        }
    }

    /**
     * Puts {@code patch} (null: none) on the current model for new requests; requests already
     * running finish with what they started with. The slot's reference to the model carries over.
     */
    public void patch(SteeringPatch patch) {
        synchronized (history) {
            Served s = current.get();
            if (s == null) {
                throw new IllegalStateException("the model slot is closed");
            }
            if (patch != null && patch.contents().version() != s.loaded.model.version()) {
                throw new IllegalArgumentException("patch " + patch.patchId() + " is for v"
                        + patch.contents().version() + ", the slot serves v" + s.loaded.model.version());
            }
            current.set(new Served(s.loaded, patch));
            history.add(new LiveSince(
                    s.loaded.model.version(), patch == null ? null : patch.patchId(), System.currentTimeMillis()));
        }
    }

    public int currentVersion() {
        Served s = current.get();
        return s == null ? -1 : s.loaded.model.version();
    }

    /** The id of the patch new requests get, or null. */
    public String currentPatchId() {
        Served s = current.get();
        return s == null || s.patch == null ? null : s.patch.patchId();
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
        Served s;
        synchronized (history) {
            s = current.getAndSet(null);
        }
        if (s != null) {
            s.loaded.release(closedModels);
        }
    }
}

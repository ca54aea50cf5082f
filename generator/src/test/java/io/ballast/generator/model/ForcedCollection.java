package io.ballast.generator.model;

/**
 * Garbage collection on demand, for tests that put one between a forward pass and its backward
 * (see {@link GraphScalars}).
 */
public final class ForcedCollection {

    private ForcedCollection() {}

    /**
     * Collects garbage a few times with pauses: the JDK frees a direct buffer's memory on its
     * cleaner thread, after the collection.
     */
    public static void run() {
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

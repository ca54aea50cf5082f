package io.ballast.cli;

import java.util.concurrent.CountDownLatch;

/** Keeps a started service running until the JVM is told to stop (Ctrl-C, SIGTERM), then closes it. */
final class RunningService {

    private RunningService() {}

    static int untilStopped(AutoCloseable service) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                service.close();
                            } catch (Exception e) {
                                System.err.println("error while stopping: " + e);
                            } finally {
                                stopped.countDown();
                            }
                        },
                        "ballast-stop"));
        stopped.await();
        return 0;
    }
}

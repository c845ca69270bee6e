package recur.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C and SIGTERM while training: the shutdown hook asks the training loop to stop and waits until
 * it has finished its current step and saved the model ({@link #finished()}), up to a minute.
 *
 * <p>Call order: {@link #installShutdownHook()} (only the real program does); the loop calls
 * {@link #begin()}, polls {@link #requested()} between steps and calls {@link #finished()} when its
 * output is written. A signal outside {@code begin()..finished()} ends the program at once.
 */
class StopSignal {
    private static final long WAIT_SECONDS = 60;

    private final AtomicBoolean requested = new AtomicBoolean();
    private final AtomicBoolean signalled = new AtomicBoolean();
    private final AtomicBoolean active = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);

    void installShutdownHook() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            signalled.set(true);
            requested.set(true);
            if (!active.get()) {
                return;
            }
            try {
                done.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "recur-stop"));
    }

    /** A loop that must not be cut off starts. */
    void begin() {
        active.set(true);
    }

    /** Asks the loop to stop after the current step. */
    void request() {
        requested.set(true);
    }

    /** Whether the loop should stop now. */
    boolean requested() {
        return requested.get();
    }

    /** Whether a signal (not the program itself) asked to stop: the JVM is shutting down. */
    boolean signalled() {
        return signalled.get();
    }

    /** The loop has stopped and written its output; lets the shutdown hook return. */
    void finished() {
        done.countDown();
    }
}

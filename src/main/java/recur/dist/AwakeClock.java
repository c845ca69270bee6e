package recur.dist;

import java.util.function.LongSupplier;

/**
 * The time a peer's silence is measured in: wall time, except that a gap between two readings longer
 * than {@code cap} counts as {@code cap}. A reader that looks every heartbeat sees wall time; one whose
 * own thread or JVM stalled (GC, a starved CPU, a suspended VM) does not blame the peer for the
 * stall, whose answers were waiting in the queue all along. One thread reads it (an event loop).
 */
final class AwakeClock {
    private final LongSupplier nanoTime;
    private final long capNanos;
    private long lastWall;
    private long awake;

    /** For a watcher that reads the clock every heartbeat of {@code timing}: a longer gap counts as two. */
    static AwakeClock watching(DistTiming timing) {
        return new AwakeClock(System::nanoTime, timing.heartbeat().multipliedBy(2).toNanos());
    }

    AwakeClock(LongSupplier nanoTime, long capNanos) {
        if (capNanos <= 0) {
            throw new IllegalArgumentException("the gap cap must be positive, got " + capNanos + " ns");
        }
        this.nanoTime = nanoTime;
        this.capNanos = capNanos;
        this.lastWall = nanoTime.getAsLong();
    }

    /** Nanoseconds awake since this clock was made. */
    long now() {
        long wall = nanoTime.getAsLong();
        awake += Math.min(Math.max(wall - lastWall, 0), capNanos);
        lastWall = wall;
        return awake;
    }
}

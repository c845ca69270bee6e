package recur.dist;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** What the allocation tests share: per-thread allocated bytes, and waiting for a paused block of rounds. */
final class ThreadAllocation {
    private ThreadAllocation() {}

    /** Bytes allocated so far by each live thread {@code which} accepts (HotSpot's ThreadMXBean). */
    static Map<Thread, Long> bytes(Predicate<Thread> which) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Map<Thread, Long> out = new HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (which.test(t)) {
                long bytes = mx.getThreadAllocatedBytes(t.threadId());
                if (bytes >= 0) {
                    out.put(t, bytes);
                }
            }
        }
        return out;
    }

    /** Bytes {@code t} allocated between two readings; a thread started in between counts from zero. */
    static long since(Map<Thread, Long> before, Map<Thread, Long> after, Thread t) {
        return after.getOrDefault(t, 0L) - before.getOrDefault(t, 0L);
    }

    /** Waits until the server's listener has paused at a block boundary; fails when training ended first. */
    static void awaitBlock(Semaphore paused, BooleanSupplier ended) throws InterruptedException {
        while (!paused.tryAcquire(1, TimeUnit.SECONDS)) {
            if (ended.getAsBoolean()) {
                throw new AssertionError("training ended before the measurement");
            }
        }
    }
}

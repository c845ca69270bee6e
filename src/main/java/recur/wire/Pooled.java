package recur.wire;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A buffer from a {@link Pool} with a reference count: every holder (a message in flight, the
 * server's current weights, a worker's last push, the shard table) {@link #retain}s it and
 * {@link #release}s it when done; the last release gives it back to the pool for reuse. Inside one
 * JVM messages are delivered by reference, so whoever sends a pooled buffer retains it for the
 * receiver, and the receiver releases it once.
 */
public final class Pooled<T> {
    private final Pool<T> pool;
    private final T value;
    private final AtomicInteger refs = new AtomicInteger(1);

    Pooled(Pool<T> pool, T value) {
        this.pool = pool;
        this.value = value;
    }

    public T value() {
        return value;
    }

    public void retain() {
        if (refs.getAndIncrement() <= 0) {
            throw new IllegalStateException("a pooled buffer was retained after its last release");
        }
    }

    public void release() {
        int left = refs.decrementAndGet();
        if (left == 0) {
            pool.giveBack(this);
        } else if (left < 0) {
            throw new IllegalStateException("a pooled buffer was released more often than retained");
        }
    }

    /** Holders now (0: back in the pool). */
    public int references() {
        return refs.get();
    }

    void reuse() {
        refs.set(1);
    }

    /** Retains {@code p} unless it is null (a buffer that is not pooled). */
    public static void retain(Pooled<?> p) {
        if (p != null) {
            p.retain();
        }
    }

    /** Releases {@code p} unless it is null. */
    public static void release(Pooled<?> p) {
        if (p != null) {
            p.release();
        }
    }
}

package recur.wire;

import java.util.function.Supplier;

/**
 * Reusable buffers (parameter, gradient and state copies) handed out as reference-counted
 * {@link Pooled} items, so that a training round allocates none in steady state. An item comes back
 * here when its last holder releases it; an item never released (a dropped message, one encoded for
 * another process) is left to the garbage collector, and {@link #acquire} makes a new one when none
 * is free. At most {@code capacity} free items are kept. Thread-safe.
 */
public final class Pool<T> {
    private final Supplier<T> make;
    private final Object[] free;
    private int count;
    private long made;

    public Pool(Supplier<T> make, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.make = make;
        this.free = new Object[capacity];
    }

    /** A free item (contents as its last holder left them) or a new one; the caller holds its only reference. */
    @SuppressWarnings("unchecked")
    public Pooled<T> acquire() {
        synchronized (this) {
            if (count > 0) {
                Pooled<T> p = (Pooled<T>) free[--count];
                free[count] = null;
                p.reuse();
                return p;
            }
            made++;
        }
        return new Pooled<>(this, make.get());
    }

    /** How many items this pool has made (not reused). */
    public synchronized long made() {
        return made;
    }

    synchronized void giveBack(Pooled<T> p) {
        if (count < free.length) {
            free[count++] = p;
        }
    }
}

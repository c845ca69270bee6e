package recur.wire;

/**
 * Reusable float arrays of one length for decoding received tensors (a tensor link's gradients or
 * weights), the length fixed by the first request: a model's parameter count. Thread-safe.
 */
public final class ArrayPool {
    private final int capacity;
    private Pool<float[]> pool;
    private int length = -1;

    /** @param capacity free arrays kept at most */
    public ArrayPool(int capacity) {
        this.capacity = capacity;
    }

    /** A buffer of {@code n} floats (contents undefined), or null when n is not this pool's length. */
    public synchronized Pooled<float[]> acquire(int n) {
        if (pool == null) {
            int size = n;
            length = n;
            pool = new Pool<>(() -> new float[size], capacity);
        }
        return n == length ? pool.acquire() : null;
    }

    /**
     * {@code n} floats from {@code pool} when it has arrays of that length ({@code held[0]}: the hold
     * the receiver releases), else a new array ({@code held[0]} null); {@code pool} may be null.
     */
    static float[] take(ArrayPool pool, int n, Pooled<float[]>[] held) {
        held[0] = pool == null ? null : pool.acquire(n);
        return held[0] != null ? held[0].value() : new float[n];
    }

    /** How many arrays it has made (not reused). */
    public synchronized long made() {
        return pool == null ? 0 : pool.made();
    }
}

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

    /** How many arrays it has made (not reused). */
    public synchronized long made() {
        return pool == null ? 0 : pool.made();
    }
}

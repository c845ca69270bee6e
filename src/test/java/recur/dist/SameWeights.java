package recur.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Equality of trained weights. Runs of the same configuration are compared bit for bit: the
 * distributed trainer reduces in a fixed order, checkpoints are exact, and the kernels (Vector and
 * scalar) give identical bits on every JIT tier (recur.math.VectorMath).
 */
final class SameWeights {
    private SameWeights() {}

    /** Bit-identical. */
    static void assertSame(float[] expected, float[] actual) {
        assertArrayEquals(expected, actual);
    }
}

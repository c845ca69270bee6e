package recur.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import recur.math.Kernels;

/**
 * Run-to-run equality of trained weights. The distributed trainer itself is deterministic (fixed
 * reduction order, exact checkpoints): on the scalar kernels ({@code -Drecur.scalar=true}) runs are
 * compared bit for bit. The Vector API kernels end their dot products with
 * {@code FloatVector.reduceLanes(ADD)}, whose summation order is unspecified and differs between the
 * interpreter and C2-compiled code, so two runs in one JVM can differ in the last bits; there the
 * comparison allows float32 rounding.
 */
final class SameWeights {
    private SameWeights() {}

    static boolean exactKernels() {
        return Kernels.get().name().equals("scalar");
    }

    static void assertSame(float[] expected, float[] actual) {
        if (exactKernels()) {
            assertArrayEquals(expected, actual);
            return;
        }
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]) / (1e-3 + Math.abs(expected[i])));
        }
        assertTrue(worst < 1e-4, "relative difference " + worst);
    }
}

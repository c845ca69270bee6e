package recur.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * VectorMath must give the same bits on every JIT tier. The interpreter and C1 evaluate a vector
 * operation lane by lane in Java ({@code Math.fma}, float +, *, /), so the test replays the algorithm
 * per lane in scalar Java and demands bit equality with the (C2-compiled, after warm-up) vector
 * code; and it checks accuracy against double-precision Math (stated bounds).
 */
class VectorMathTest {
    static final int L = VectorKernels.L;

    @Test
    void expTanhSigmoidAreBitIdenticalToTheirLaneByLaneDefinition() {
        SplittableRandom rng = new SplittableRandom(11);
        float[] x = new float[L * 4096];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rng.nextDouble(-1, 1) * Math.pow(10, rng.nextDouble(-6, 2.2)));
        }
        x[0] = 0f;
        x[1] = -0f;
        x[2] = 100f;
        x[3] = -100f;
        x[4] = Float.NaN;
        float[] e = new float[x.length];
        float[] t = new float[x.length];
        float[] s = new float[x.length];
        for (int rep = 0; rep < 30; rep++) { // warm up so C2 compiles the vector code
            for (int i = 0; i < x.length; i += L) {
                VectorMath.exp(FloatVector.fromArray(VectorKernels.S, x, i)).intoArray(e, i);
                VectorMath.tanh(FloatVector.fromArray(VectorKernels.S, x, i)).intoArray(t, i);
                VectorMath.sigmoid(FloatVector.fromArray(VectorKernels.S, x, i)).intoArray(s, i);
            }
        }
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToIntBits(exp(x[i])), Float.floatToIntBits(e[i]), "exp(" + x[i] + ")");
            assertEquals(Float.floatToIntBits(tanh(x[i])), Float.floatToIntBits(t[i]), "tanh(" + x[i] + ")");
            assertEquals(Float.floatToIntBits(1f / (exp(-x[i]) + 1f)), Float.floatToIntBits(s[i]),
                    "sigmoid(" + x[i] + ")");
            if (Float.isNaN(x[i])) {
                assertTrue(Float.isNaN(e[i]) && Float.isNaN(t[i]) && Float.isNaN(s[i]), "NaN propagates");
                continue;
            }
            // Accuracy against double precision: exp relative 3e-7 (over its normal range), tanh and
            // sigmoid absolute 2e-7.
            if (x[i] > -87f && x[i] < 88f) {
                double ref = Math.exp(x[i]);
                assertTrue(Math.abs(e[i] - ref) <= 3e-7 * ref, "exp(" + x[i] + ") = " + e[i] + " vs " + ref);
            }
            assertTrue(Math.abs(t[i] - Math.tanh(x[i])) <= 2e-7, "tanh(" + x[i] + ") = " + t[i]);
            assertTrue(Math.abs(s[i] - 1 / (1 + Math.exp(-x[i]))) <= 2e-7, "sigmoid(" + x[i] + ") = " + s[i]);
        }
    }

    @Test
    void laneSumAddsInLaneOrder() {
        float[] v = new float[L];
        for (int i = 0; i < L; i++) {
            v[i] = i % 2 == 0 ? 1e8f : 1f + i; // order-sensitive in float
        }
        float expected = v[0];
        for (int i = 1; i < L; i++) {
            expected += v[i];
        }
        assertEquals(expected, VectorMath.sumInOrder(FloatVector.fromArray(VectorKernels.S, v, 0)));
    }

    // The algorithm of VectorMath, one lane at a time, as the interpreter runs it.
    private static float exp(float x) {
        if (Float.isNaN(x)) {
            return x;
        }
        float xc = Math.min(Math.max(x, -87f), 88f);
        float t = Math.fma(xc, 1.44269504088896341f, 12582912f);
        float n = t - 12582912f;
        float r = Math.fma(n, -0.693359375f, xc);
        r = Math.fma(n, 2.12194440e-4f, r);
        float p = 1.9875691500E-4f;
        p = Math.fma(p, r, 1.3981999507E-3f);
        p = Math.fma(p, r, 8.3334519073E-3f);
        p = Math.fma(p, r, 4.1665795894E-2f);
        p = Math.fma(p, r, 1.6666665459E-1f);
        p = Math.fma(p, r, 5.0000001201E-1f);
        float er = Math.fma(p, r * r, r + 1f);
        int bits = (Float.floatToRawIntBits(t) - (0x4B400000 - 127)) << 23;
        return er * Float.intBitsToFloat(bits);
    }

    private static float tanh(float x) {
        if (Float.isNaN(x)) {
            return x;
        }
        float ax = Math.abs(x);
        if (ax < 0.625f) {
            float z = x * x;
            float p = -5.70498872745E-3f;
            p = Math.fma(p, z, 2.06390887954E-2f);
            p = Math.fma(p, z, -5.37397155531E-2f);
            p = Math.fma(p, z, 1.33314422036E-1f);
            p = Math.fma(p, z, -3.33332819422E-1f);
            return Math.fma(p * z, x, x);
        }
        float large = 1f - 2f / (exp(Math.min(ax, 9f) * 2f) + 1f);
        return x < 0 ? -large : large;
    }
}

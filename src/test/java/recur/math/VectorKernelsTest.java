package recur.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Differential tests: every {@link VectorKernels} method against {@link ScalarKernels} at awkward sizes
 * (around the vector length and the register blocks), nonzero offsets, leading dimensions wider than the
 * rows, and outputs that start non-zero (the products accumulate).
 *
 * <p>Tolerances (stated once, used everywhere):
 * <ul>
 *   <li>sums of products (gemm*, gemv, dot, sums): |v - s| <= 1e-5 * (|c0| + sum_p |a_p b_p|) + 1e-6,
 *       i.e. relative 1e-5 of the magnitude the rounding error can scale with;</li>
 *   <li>elementwise products (axpy, scale, backward forms): the same bound with the terms' magnitude;</li>
 *   <li>sigmoid, tanh: max absolute error 2e-6 against the double-precision scalar;</li>
 *   <li>sumSquares: relative 1e-5; crossEntropy: loss relative 1e-5, gradients absolute 1e-6 * |scale|.</li>
 * </ul>
 * Every output buffer is filled with a sentinel outside the target region (before the offset, in the
 * padding between rows, after the end) and checked to be untouched.
 */
class VectorKernelsTest {

    private static final float SENTINEL = -12345.5f;
    private static final Kernels V = new VectorKernels();
    private static final Kernels R = new ScalarKernels();
    private static final int[] SMALL = {1, 7, 17, 33};

    private final SplittableRandom rnd = new SplittableRandom(0x5eed_1234L);

    // ------------------------------------------------------------ helpers

    private float[] random(int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** A buffer holding a (rows, cols) matrix at offset off with leading dimension ld, sentinel elsewhere. */
    private float[] matrix(int off, int ld, int rows, int cols, boolean sentinelOutside) {
        float[] x = new float[off + (rows - 1) * ld + cols + 5];
        for (int i = 0; i < x.length; i++) {
            x[i] = sentinelOutside ? SENTINEL : (float) (rnd.nextDouble() * 2 - 1);
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                x[off + r * ld + j] = (float) (rnd.nextDouble() * 2 - 1);
            }
        }
        return x;
    }

    private static boolean inside(int idx, int off, int ld, int rows, int cols) {
        int rel = idx - off;
        if (rel < 0 || rows == 0 || cols == 0) {
            return false;
        }
        int r = rel / ld;
        int j = rel % ld;
        return r < rows && j < cols;
    }

    /** Elements outside the target region must still hold the sentinel. */
    private static void assertUntouched(String what, float[] x, int off, int ld, int rows, int cols) {
        for (int i = 0; i < x.length; i++) {
            if (!inside(i, off, ld, rows, cols) && x[i] != SENTINEL) {
                fail(what + ": element " + i + " outside the target region changed to " + x[i]);
            }
        }
    }

    private static void assertClose(String what, float expected, float actual, double magnitude, double rel) {
        double tol = rel * magnitude + 1e-6;
        if (!(Math.abs(expected - actual) <= tol)) {
            fail(what + ": expected " + expected + " but got " + actual + " (tolerance " + tol + ")");
        }
    }

    private enum Form { AB, ABT, ATB }

    /** Runs one product form on both implementations and compares every element. */
    private void checkProduct(Form form, int m, int n, int k) {
        int cOff = 3, aOff = 5, bOff = 2;
        int ldc = n + 4;
        int aRows = form == Form.ATB ? k : m, aCols = form == Form.ATB ? m : k;
        int bRows = form == Form.ABT ? n : k, bCols = form == Form.ABT ? k : n;
        int lda = aCols + 3, ldb = bCols + 1;
        float[] a = matrix(aOff, lda, aRows, aCols, false);
        float[] b = matrix(bOff, ldb, bRows, bCols, false);
        float[] c0 = matrix(cOff, ldc, m, n, true);
        float[] cv = c0.clone(), cs = c0.clone();
        switch (form) {
            case AB -> {
                V.gemm(cv, cOff, ldc, a, aOff, lda, b, bOff, ldb, m, n, k);
                R.gemm(cs, cOff, ldc, a, aOff, lda, b, bOff, ldb, m, n, k);
            }
            case ABT -> {
                V.gemmBt(cv, cOff, ldc, a, aOff, lda, b, bOff, ldb, m, n, k);
                R.gemmBt(cs, cOff, ldc, a, aOff, lda, b, bOff, ldb, m, n, k);
            }
            case ATB -> {
                V.gemmAt(cv, cOff, ldc, a, aOff, lda, b, bOff, ldb, m, n, k);
                R.gemmAt(cs, cOff, ldc, a, aOff, lda, b, bOff, ldb, m, n, k);
            }
        }
        String what = form + " m=" + m + " n=" + n + " k=" + k;
        assertUntouched(what, cv, cOff, ldc, m, n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double mag = Math.abs(c0[cOff + i * ldc + j]);
                double exact = c0[cOff + i * ldc + j];
                for (int p = 0; p < k; p++) {
                    float av = form == Form.ATB ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = form == Form.ABT ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    mag += Math.abs((double) av * bv);
                    exact += (double) av * bv;
                }
                int idx = cOff + i * ldc + j;
                assertClose(what + " at (" + i + "," + j + ") vs scalar", cs[idx], cv[idx], mag, 1e-5);
                assertClose(what + " at (" + i + "," + j + ") vs double", (float) exact, cv[idx], mag, 1e-5);
            }
        }
    }

    // ------------------------------------------------------------ matrix products

    @Test
    void gemmFormsAtSmallSizes() {
        for (Form form : Form.values()) {
            for (int m : SMALL) {
                for (int n : SMALL) {
                    for (int k : SMALL) {
                        checkProduct(form, m, n, k);
                    }
                }
            }
        }
    }

    /** Row counts hit every row tail (8-row blocks, then 4, 2, 1), columns every full/one-vector/masked block. */
    @Test
    void gemmFormsAtLargerSizes() {
        int[][] shapes = {{255, 33, 17}, {33, 1023, 7}, {6, 100, 300}, {9, 48, 513}, {64, 65, 257}, {1, 512, 128},
                {13, 50, 1}, {2, 1023, 33}, {7, 100, 9}, {15, 97, 33}, {11, 49, 5}, {3, 64, 300},
                {5, 300, 513}, {6, 301, 700}}; // the last two cross gemmBt's column chunks (64 Ki floats of B)
        for (Form form : Form.values()) {
            for (int[] s : shapes) {
                checkProduct(form, s[0], s[1], s[2]);
            }
        }
    }

    /**
     * gemmAt copies panels of A^T to a buffer before the micro-kernels read them (when m >= 8 and n is
     * 48-512 columns); the sums must stay those of gemm on A^T written out, bit for bit, in every
     * column the vector micro-kernels compute.
     */
    @Test
    void gemmAtGivesTheBitsOfGemmOnTheTransposedMatrix() {
        int[][] shapes = {{1024, 256, 600}, {64, 65, 257}, {17, 49, 3}, {40, 100, 256}, {8, 48, 1}, {16, 520, 20}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            int lda = m + 3, ldb = n + 1, ldc = n + 2;
            float[] a = matrix(1, lda, k, m, false);
            float[] b = matrix(0, ldb, k, n, false);
            float[] at = new float[m * k];
            for (int p = 0; p < k; p++) {
                for (int i = 0; i < m; i++) {
                    at[i * k + p] = a[1 + p * lda + i];
                }
            }
            float[] viaAt = matrix(0, ldc, m, n, true);
            float[] viaGemm = viaAt.clone();
            V.gemmAt(viaAt, 0, ldc, a, 1, lda, b, 0, ldb, m, n, k);
            V.gemm(viaGemm, 0, ldc, at, 0, k, b, 0, ldb, m, n, k);
            // The last n % L columns take different strips (gemm's dot products, gemmAt's plain loop),
            // checked against the scalar kernels elsewhere; every vector column must match bit for bit.
            int vectorCols = n - n % VectorKernels.L;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < vectorCols; j++) {
                    if (Float.floatToRawIntBits(viaGemm[i * ldc + j]) != Float.floatToRawIntBits(viaAt[i * ldc + j])) {
                        fail("gemmAt differs from gemm on A^T at " + m + "x" + n + "x" + k + ", element (" + i + "," + j + ")");
                    }
                }
            }
        }
    }

    @Test
    void gemmWithNothingToDoLeavesOutputAlone() {
        float[] c = matrix(2, 9, 3, 7, true);
        float[] before = c.clone();
        float[] a = random(64), b = random(64);
        V.gemm(c, 2, 9, a, 0, 8, b, 0, 8, 3, 7, 0);
        V.gemmAt(c, 2, 9, a, 0, 8, b, 0, 8, 3, 7, 0);
        V.gemmBt(c, 2, 9, a, 0, 8, b, 0, 8, 3, 7, 0);
        V.gemm(c, 2, 9, a, 0, 8, b, 0, 8, 0, 7, 5);
        assertTrue(java.util.Arrays.equals(before, c), "k = 0 or m = 0 must not change C");
    }

    @Test
    void gemvMatchesScalar() {
        int[][] shapes = {{1, 1}, {7, 17}, {17, 7}, {33, 33}, {4, 255}, {255, 15}, {5, 1023}, {64, 16}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], lda = n + 3, aOff = 4, yOff = 2, xOff = 1;
            float[] a = matrix(aOff, lda, m, n, false);
            float[] x = matrix(xOff, n, 1, n, false);
            float[] y0 = matrix(yOff, m, 1, m, true);
            float[] yv = y0.clone(), ys = y0.clone();
            V.gemv(yv, yOff, a, aOff, lda, x, xOff, m, n);
            R.gemv(ys, yOff, a, aOff, lda, x, xOff, m, n);
            assertUntouched("gemv " + m + "x" + n, yv, yOff, m, 1, m);
            for (int i = 0; i < m; i++) {
                double mag = Math.abs(y0[yOff + i]);
                for (int j = 0; j < n; j++) {
                    mag += Math.abs(a[aOff + i * lda + j] * x[xOff + j]);
                }
                assertClose("gemv " + m + "x" + n + " row " + i, ys[yOff + i], yv[yOff + i], mag, 1e-5);
            }
        }
    }

    // ------------------------------------------------------------ vectors

    private static final int[] LENGTHS = {0, 1, 7, 15, 16, 17, 33, 63, 255, 1023, 4099};

    @Test
    void axpyAndScaleMatchScalar() {
        for (int n : LENGTHS) {
            float[] x = matrix(3, n, 1, n, false);
            float[] y0 = matrix(5, n, 1, n, true);
            float[] yv = y0.clone(), ys = y0.clone();
            V.axpy(yv, 5, -0.75f, x, 3, n);
            R.axpy(ys, 5, -0.75f, x, 3, n);
            assertUntouched("axpy " + n, yv, 5, n, 1, n);
            for (int i = 0; i < n; i++) {
                double mag = Math.abs(y0[5 + i]) + 0.75 * Math.abs(x[3 + i]);
                assertClose("axpy " + n + " at " + i, ys[5 + i], yv[5 + i], mag, 1e-6);
            }
            float[] sv = y0.clone(), ss = y0.clone();
            V.scale(sv, 5, 1.3f, n);
            R.scale(ss, 5, 1.3f, n);
            assertUntouched("scale " + n, sv, 5, n, 1, n);
            for (int i = 0; i < n; i++) {
                assertEquals(ss[5 + i], sv[5 + i], "scale " + n + " at " + i);
            }
        }
    }

    @Test
    void dotMatchesScalar() {
        for (int n : LENGTHS) {
            float[] x = matrix(1, n, 1, n, false), y = matrix(6, n, 1, n, false);
            double mag = 0;
            for (int i = 0; i < n; i++) {
                mag += Math.abs(x[1 + i] * y[6 + i]);
            }
            assertClose("dot " + n, R.dot(x, 1, y, 6, n), V.dot(x, 1, y, 6, n), mag, 1e-5);
        }
    }

    @Test
    void sumSquaresMatchesScalar() {
        for (int n : new int[] {0, 1, 7, 15, 17, 33, 255, 1023, 1025, 100_003}) {
            float[] x = matrix(3, n, 1, n, false);
            for (int i = 0; i < n; i++) {
                x[3 + i] *= 1 + (i % 97); // uneven magnitudes
            }
            double s = R.sumSquares(x, 3, n), v = V.sumSquares(x, 3, n);
            assertTrue(Math.abs(s - v) <= 1e-5 * s + 1e-12, "sumSquares " + n + ": " + s + " vs " + v);
        }
        // one large element among many small ones must not be lost
        float[] x = new float[5000];
        java.util.Arrays.fill(x, 1e-3f);
        x[4321] = 1e3f;
        assertEquals(R.sumSquares(x, 0, x.length), V.sumSquares(x, 0, x.length), 1e-5 * 1e6);
    }

    @Test
    void firstNonFiniteMatchesScalar() {
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0xffc00000), Float.intBitsToFloat(0xffffffff)};
        float[] edge = {Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL / 2, Float.MAX_VALUE, -Float.MAX_VALUE,
            -0f, Float.intBitsToFloat(0x7f7fffff)};
        int lanes = VectorKernels.L;
        int block = 64 * lanes; // the vector kernel's block: one test of the running max each
        int[] lengths = {0, 1, 2, 7, 15, 16, 17, 31, 33, 63, 255, 1023, 1024, 1025, block - 1, block, block + 1,
            4 * block + 5, 100_003, 350_003};
        for (int n : lengths) {
            for (int off : new int[] {0, 3}) {
                float[] x = new float[off + n + 5];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (rnd.nextDouble() * 2 - 1);
                }
                for (int e = 0; e < Math.min(n, 40); e++) { // finite extremes must not count
                    x[off + rnd.nextInt(n)] = edge[rnd.nextInt(edge.length)];
                }
                x[off + n] = Float.NaN; // outside the range on both sides: ignored
                if (off > 0) {
                    x[off - 1] = Float.POSITIVE_INFINITY;
                }
                check("finite " + n + "@" + off, x, off, n, -1);
                if (n == 0) {
                    continue;
                }
                int tail = n % lanes == 0 ? n - 1 : n - 1 - rnd.nextInt(n % lanes); // in the scalar tail
                int[] at = {0, n - 1, tail, Math.min(n - 1, block), rnd.nextInt(n), rnd.nextInt(n), n / 2};
                for (int p : at) {
                    float[] y = x.clone();
                    y[off + p] = bad[rnd.nextInt(bad.length)];
                    check("one at " + p + " of " + n + "@" + off, y, off, n, off + p);
                    int later = p + rnd.nextInt(n - p); // a second one at or after the first
                    y[off + later] = bad[rnd.nextInt(bad.length)];
                    check("two from " + p + " of " + n + "@" + off, y, off, n, off + p);
                }
            }
        }
    }

    private static void check(String what, float[] x, int off, int n, int expected) {
        assertEquals(expected, R.firstNonFinite(x, off, n), "scalar, " + what);
        assertEquals(expected, V.firstNonFinite(x, off, n), "vector, " + what);
    }

    @Test
    void addRowAndSumRowsMatchScalar() {
        int[][] shapes = {{1, 1}, {7, 17}, {17, 7}, {33, 33}, {3, 255}, {255, 15}, {2, 1023}, {5, 48}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], ld = n + 2;
            float[] v = matrix(4, n, 1, n, false);
            float[] c0 = matrix(1, ld, m, n, true);
            float[] cv = c0.clone(), cs = c0.clone();
            V.addRow(cv, 1, ld, v, 4, m, n);
            R.addRow(cs, 1, ld, v, 4, m, n);
            assertUntouched("addRow " + m + "x" + n, cv, 1, ld, m, n);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(cs[1 + i * ld + j], cv[1 + i * ld + j], "addRow at " + i + "," + j);
                }
            }
            float[] a = matrix(3, ld, m, n, false);
            float[] o0 = matrix(2, n, 1, n, true);
            float[] ov = o0.clone(), os = o0.clone();
            V.sumRows(ov, 2, a, 3, ld, m, n);
            R.sumRows(os, 2, a, 3, ld, m, n);
            assertUntouched("sumRows " + m + "x" + n, ov, 2, n, 1, n);
            for (int j = 0; j < n; j++) {
                double mag = Math.abs(o0[2 + j]);
                for (int i = 0; i < m; i++) {
                    mag += Math.abs(a[3 + i * ld + j]);
                }
                assertClose("sumRows " + m + "x" + n + " col " + j, os[2 + j], ov[2 + j], mag, 1e-5);
            }
        }
    }

    // ------------------------------------------------------------ activations

    private interface Unary {
        void apply(Kernels k, float[] y, int yOff, float[] x, int xOff, int n);
    }

    private void checkActivation(String what, Unary f, double absTol, double spread) {
        for (int n : LENGTHS) {
            float[] x = matrix(2, n, 1, n, false);
            for (int i = 0; i < n; i++) {
                x[2 + i] *= (float) spread;
            }
            if (n > 3) {
                x[2] = 0f;
                x[3] = -0f;
                x[4] = (float) (-spread * 20);
            }
            float[] yv = matrix(7, n, 1, n, true), ys = yv.clone();
            f.apply(V, yv, 7, x, 2, n);
            f.apply(R, ys, 7, x, 2, n);
            assertUntouched(what + " " + n, yv, 7, n, 1, n);
            for (int i = 0; i < n; i++) {
                double err = Math.abs(ys[7 + i] - yv[7 + i]);
                assertTrue(err <= absTol, what + " " + n + " at x=" + x[2 + i] + ": " + ys[7 + i] + " vs "
                        + yv[7 + i] + " (error " + err + ")");
            }
            // in place: y aliases x
            float[] xv = x.clone(), xs = x.clone();
            f.apply(V, xv, 2, xv, 2, n);
            f.apply(R, xs, 2, xs, 2, n);
            for (int i = 0; i < n; i++) {
                assertTrue(Math.abs(xs[2 + i] - xv[2 + i]) <= absTol, what + " in place " + n + " at " + i);
            }
        }
    }

    @Test
    void activationsMatchScalar() {
        checkActivation("sigmoid", Kernels::sigmoid, 2e-6, 12);
        checkActivation("tanh", Kernels::tanh, 2e-6, 6);
        checkActivation("tanh near 0", Kernels::tanh, 2e-6, 0.01);
        checkActivation("relu", Kernels::relu, 0, 3);
    }

    private interface Backward {
        void apply(Kernels k, float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff, int n);
    }

    private void checkBackward(String what, Backward f) {
        for (int n : LENGTHS) {
            float[] y = matrix(3, n, 1, n, false), dy = matrix(1, n, 1, n, false);
            float[] dxv = matrix(4, n, 1, n, true), dxs = dxv.clone();
            f.apply(V, dxv, 4, y, 3, dy, 1, n);
            f.apply(R, dxs, 4, y, 3, dy, 1, n);
            assertUntouched(what + " " + n, dxv, 4, n, 1, n);
            for (int i = 0; i < n; i++) {
                assertClose(what + " " + n + " at " + i, dxs[4 + i], dxv[4 + i], Math.abs(dy[1 + i]) * 2, 1e-6);
            }
            // dx aliases dy
            float[] dv = dy.clone(), ds = dy.clone();
            f.apply(V, dv, 1, y, 3, dv, 1, n);
            f.apply(R, ds, 1, y, 3, ds, 1, n);
            for (int i = 0; i < n; i++) {
                assertClose(what + " in place " + n + " at " + i, ds[1 + i], dv[1 + i], Math.abs(dy[1 + i]) * 2, 1e-6);
            }
        }
    }

    @Test
    void backwardFormsMatchScalar() {
        checkBackward("sigmoidBackward", Kernels::sigmoidBackward);
        checkBackward("tanhBackward", Kernels::tanhBackward);
        checkBackward("reluBackward", Kernels::reluBackward);
    }

    // ------------------------------------------------------------ recurrent cells

    /** Gate values strictly inside (0, 1) or (-1, 1), as the activations produce them. */
    private float[] gateLike(int len) {
        float[] x = random(len);
        for (int i = 0; i < len; i++) {
            x[i] = 0.5f + 0.49f * x[i];
        }
        return x;
    }

    private static void assertSameBits(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + " at " + i + ": scalar " + expected[i] + ", vector " + actual[i]);
            }
        }
    }

    @Test
    void lstmBackwardIsBitIdenticalToScalar() {
        for (int h : LENGTHS) {
            int gOff = 3, cOff = 2, tcOff = 1, dhOff = 4, carry = 5, dOff = 7;
            float[] gates = gateLike(gOff + 4 * h + 3), cPrev = random(cOff + h + 1), tc = random(tcOff + h);
            float[] dhOut = random(dhOff + h + 2);
            float[] dhNext = random(carry + h + 3), dcNext = random(carry + h + 3);
            float[] dG = matrix(dOff, 4 * h, 1, 4 * h, true);
            float[] dGs = dG.clone(), dcs = dcNext.clone(), dGv = dG.clone(), dcv = dcNext.clone();
            R.lstmBackward(dGs, dOff, dcs, dhNext, carry, gates, gOff, cPrev, cOff, tc, tcOff, dhOut, dhOff, h);
            V.lstmBackward(dGv, dOff, dcv, dhNext, carry, gates, gOff, cPrev, cOff, tc, tcOff, dhOut, dhOff, h);
            assertSameBits("lstmBackward dG " + h, dGs, dGv);
            assertSameBits("lstmBackward dcNext " + h, dcs, dcv);
            assertUntouched("lstmBackward " + h, dGv, dOff, 4 * h, 1, 4 * h);
            if (h == 0) {
                continue;
            }
            // the last unit against the equations in double: the scalar twin is the formula
            int j = h - 1;
            double dh = dhOut[dhOff + j] + dhNext[carry + j];
            double o = gates[gOff + 3 * h + j], t = tc[tcOff + j];
            double dc = dcNext[carry + j] + dh * o * (1 - t * t);
            assertClose("lstmBackward dc " + h, (float) (dc * gates[gOff + h + j]), dcs[carry + j],
                    Math.abs(dc) + 1, 1e-6);
        }
    }

    @Test
    void gruBackwardIsBitIdenticalToScalar() {
        for (int h : LENGTHS) {
            int gOff = 2, hnOff = 1, hOff = 3, dhOff = 4, carry = 5, dOff = 6;
            float[] gates = gateLike(gOff + 3 * h + 1), hn = random(hnOff + h), hPrev = random(hOff + h + 2);
            float[] dhOut = random(dhOff + h), dhNext = random(carry + h + 1);
            float[] dGx = matrix(dOff, 3 * h, 1, 3 * h, true), dGh = matrix(dOff, 3 * h, 1, 3 * h, true);
            float[] xs = dGx.clone(), hs = dGh.clone(), ns = dhNext.clone();
            float[] xv = dGx.clone(), hv = dGh.clone(), nv = dhNext.clone();
            R.gruBackward(xs, hs, dOff, ns, carry, gates, gOff, hn, hnOff, hPrev, hOff, dhOut, dhOff, h);
            V.gruBackward(xv, hv, dOff, nv, carry, gates, gOff, hn, hnOff, hPrev, hOff, dhOut, dhOff, h);
            assertSameBits("gruBackward dGx " + h, xs, xv);
            assertSameBits("gruBackward dGh " + h, hs, hv);
            assertSameBits("gruBackward dhNext " + h, ns, nv);
            assertUntouched("gruBackward " + h, xv, dOff, 3 * h, 1, 3 * h);
            // the hidden-side candidate gradient is the input side's times r
            if (h > 0) {
                assertEquals(xs[dOff + 2 * h] * gates[gOff], hs[dOff + 2 * h]);
            }
        }
    }

    // ------------------------------------------------------------ loss

    @Test
    void crossEntropyMatchesScalar() {
        int[][] shapes = {{1, 1}, {3, 7}, {5, 15}, {4, 16}, {7, 17}, {2, 33}, {9, 255}, {3, 1023}, {2, 5000}};
        for (int[] s : shapes) {
            int rows = s[0], cols = s[1], ld = cols + 3, lOff = 2, tOff = 1;
            for (double spread : new double[] {1, 30}) {
                float[] logits = matrix(lOff, ld, rows, cols, false);
                for (int i = 0; i < logits.length; i++) {
                    logits[i] *= (float) spread;
                }
                int[] targets = new int[rows + tOff];
                for (int r = 0; r < rows; r++) {
                    targets[tOff + r] = rnd.nextInt(cols);
                }
                float scale = 0.25f;
                float[] dv = matrix(lOff, ld, rows, cols, true), ds = dv.clone();
                double lv = V.crossEntropy(dv, lOff, logits, lOff, ld, targets, tOff, rows, cols, scale);
                double ls = R.crossEntropy(ds, lOff, logits, lOff, ld, targets, tOff, rows, cols, scale);
                String what = "crossEntropy " + rows + "x" + cols + " spread " + spread;
                assertTrue(Math.abs(lv - ls) <= 1e-5 * Math.abs(ls) + 1e-6, what + ": loss " + ls + " vs " + lv);
                assertUntouched(what, dv, lOff, ld, rows, cols);
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < cols; j++) {
                        int idx = lOff + r * ld + j;
                        assertClose(what + " grad (" + r + "," + j + ")", ds[idx], dv[idx], 0, 1e-6 * scale);
                    }
                }
                // loss only, and in place (dlogits aliases logits)
                assertEquals(lv, V.crossEntropy(null, 0, logits, lOff, ld, targets, tOff, rows, cols, scale), 0);
                float[] inPlace = logits.clone();
                V.crossEntropy(inPlace, lOff, inPlace, lOff, ld, targets, tOff, rows, cols, scale);
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < cols; j++) {
                        int idx = lOff + r * ld + j;
                        assertClose(what + " in-place grad", ds[idx], inPlace[idx], 0, 1e-6 * scale);
                    }
                }
            }
        }
    }

    @Test
    void nameReportsTheSpecies() {
        assertEquals("vector-" + VectorKernels.S.vectorBitSize(), V.name());
        String bits = System.getProperty("recur.vector.bits");
        if (bits != null && !bits.isBlank()) {
            assertEquals(Integer.parseInt(bits.trim()), VectorKernels.S.vectorBitSize());
        }
    }
}

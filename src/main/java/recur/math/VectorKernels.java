package recur.math;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD kernels on the Vector API ({@code jdk.incubator.vector}); {@link ScalarKernels} is the oracle
 * they are tested against.
 *
 * <p>The float species is chosen once, here: {@link FloatVector#SPECIES_PREFERRED}, or 128/256/512 bits
 * when {@code -Drecur.vector.bits} says so. It is a {@code static final} constant so that C2 folds it
 * into every kernel.
 *
 * <p>{@code gemm} and {@code gemmAt} share one register-blocked micro-kernel ({@code k8x3}: 8 rows of C by
 * 3 vectors of columns, 24 FMA accumulators) that walks the k dimension with arbitrary strides for A, so
 * A row-major and A transposed are the same code. k is cut into {@link #KC}-deep slabs so that the slab
 * of B a column block walks stays in cache while every row block of C reuses it. Row tails use 4/2/1-row
 * kernels, column tails one-vector kernels and a plain-Java strip for the last (fewer than L) columns. {@code gemmBt} is in dot-product form
 * (4x2 blocks of vector accumulators over k, each summed in lane order). Transcendentals and lane sums
 * come from {@link VectorMath}, which gives identical bits on every JIT tier (runs are reproducible).
 *
 * <p>Nothing here allocates once C2 has compiled it: every vector and mask is a local of a method
 * simple enough for escape analysis to scalar-replace, and no mask is passed between methods.
 */
public final class VectorKernels implements Kernels {

    /** The float species every kernel uses. */
    static final VectorSpecies<Float> S = chooseSpecies();
    /** Lanes per vector. */
    static final int L = S.length();

    /** Depth of the k slabs in the matrix products. */
    private static final int KC = 256;
    /** Elements per float-accumulated block in {@link #sumSquares} (32 terms a lane) before it is added in double. */
    private static final int SQ_BLOCK = 64 * L;
    /** The int species of the same shape, for tests on the bits of floats. */
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, S.vectorShape());
    /** The exponent bits of a float: all set exactly for NaN and ±Inf. */
    private static final int EXP_MASK = 0x7f800000;
    /** Elements {@link #firstNonFinite} scans before it tests its running max (one branch per block). */
    private static final int NF_BLOCK = 64 * L;
    /** Floats of B (about 256 KiB) one column chunk of {@code gemmBt} walks. */
    private static final int BT_CHUNK_FLOATS = 64 * 1024;

    static VectorSpecies<Float> chooseSpecies() {
        String bits = System.getProperty("recur.vector.bits");
        if (bits == null || bits.isBlank()) {
            return FloatVector.SPECIES_PREFERRED;
        }
        return switch (bits.trim()) {
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException(
                    "recur.vector.bits must be 128, 256 or 512, not '" + bits + "'");
        };
    }

    @Override
    public String name() {
        return "vector-" + S.vectorBitSize();
    }

    // ---------------------------------------------------------------- matrix products

    @Override
    public void gemm(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     int m, int n, int k) {
        // A (i, p) at aOff + i * lda + p
        blocked(c, cOff, ldc, a, aOff, lda, 1, b, bOff, ldb, m, n, k);
    }

    @Override
    public void gemmAt(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       int m, int n, int k) {
        // A stored (k, m): element (i, p) of A^T at aOff + p * lda + i
        int mPacked = n >= NR * L && n <= PACK_MAX_N ? m - m % MR : 0;
        if (mPacked > 0) {
            packedAt(c, cOff, ldc, a, aOff, lda, b, bOff, ldb, mPacked, n, k);
        }
        if (mPacked < m) {
            blocked(c, cOff + mPacked * ldc, ldc, a, aOff + mPacked, 1, lda, b, bOff, ldb, m - mPacked, n, k);
        }
    }

    /**
     * gemmAt for m a multiple of MR. Read in place, an MR-row panel of A^T in a k slab is 8 floats from
     * each of kc rows lda apart (a new page per row when lda is 1024 floats, every row in the same L1 set),
     * re-read by each of the n / (NR L) column blocks; the weight gradient dG^T h ran at ~75-85 GFLOP/s
     * that way against ~105 for the forward products. So each panel is first copied to a contiguous
     * buffer that stays in L1 while the column blocks read it (~90-97 GFLOP/s). Packing 2-16 panels at a
     * time, reading longer runs of each row of A, measured slower (71-87). The sums are the same, in the
     * same order (slab by slab).
     */
    private static void packedAt(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff,
                                 int ldb, int m, int n, int k) {
        final int nb = NR * L;
        final float[] panel = SCRATCH.get();
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            int a0 = aOff + pc * lda;
            int b0 = bOff + pc * ldb;
            for (int i = 0; i < m; i += MR) {
                for (int p = 0, src = a0 + i; p < kc; p++, src += lda) {
                    System.arraycopy(a, src, panel, p * MR, MR);
                }
                int ci = cOff + i * ldc;
                int j = 0;
                for (; j + nb <= n; j += nb) {
                    k8x3(c, ci + j, ldc, panel, 0, 1, MR, b, b0 + j, ldb, kc);
                }
                for (; j + L <= n; j += L) {
                    k8x1(c, ci + j, ldc, panel, 0, 1, MR, b, b0 + j, ldb, kc);
                }
            }
            int w = n % L;
            if (w > 0) {
                scalarStrip(c, cOff + n - w, ldc, a, a0, 1, lda, b, b0 + n - w, ldb, m, w, kc);
            }
        }
    }

    /** Rows of C per register block. */
    private static final int MR = 8;
    /** Vectors of C per register block. */
    private static final int NR = 3;

    /**
     * Widest B for which gemmAt packs A^T. Each packed panel walks a whole k slab of B (KC x n): up to
     * 512 KiB it stays in L2 and packing wins (CPU time of one call, 2048 rows: 93-97 against 87-90
     * GFLOP/s at 2048 x 512, 74-82 against 67-68 at 512 x 128, 90-97 against 75-85 at 1024 x 256);
     * at 4096 x 1024 (LSTM at large) the slab is 1 MiB and the unpacked order, where each 48-column
     * panel of B serves every row block, was faster (91-92 against 87-89).
     */
    private static final int PACK_MAX_N = 512;

    /**
     * Per thread: room for one MR-row panel of A^T in a k slab (8 KiB), which gemmAt packs, or for one
     * column of B in a k slab, which gemm's narrow strip gathers. Never both at once.
     */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[KC * MR]);

    /**
     * C[m,n] += A'[m,k] * B[k,n] where A'(i, p) = a[aOff + i * ars + p * aps]: walks k in KC slabs, the
     * columns in blocks of NR vectors, the rows in blocks of MR (then 4/2/1-row tails),
     * then one-vector and masked one-vector column tails.
     */
    private static void blocked(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int aps,
                                float[] b, int bOff, int ldb, int m, int n, int k) {
        if (m <= 0 || n <= 0 || k <= 0) {
            return;
        }
        final int nb = NR * L;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            int a0 = aOff + pc * aps;
            int b0 = bOff + pc * ldb;
            int j = 0;
            for (; j + nb <= n; j += nb) {
                int i = 0;
                for (; i + MR <= m; i += MR) {
                    k8x3(c, cOff + i * ldc + j, ldc, a, a0 + i * ars, ars, aps, b, b0 + j, ldb, kc);
                }
                if (m - i >= 4) {
                    k4x3(c, cOff + i * ldc + j, ldc, a, a0 + i * ars, ars, aps, b, b0 + j, ldb, kc);
                    i += 4;
                }
                if (m - i >= 2) {
                    k2x3(c, cOff + i * ldc + j, ldc, a, a0 + i * ars, ars, aps, b, b0 + j, ldb, kc);
                    i += 2;
                }
                if (m - i >= 1) {
                    k1x3(c, cOff + i * ldc + j, ldc, a, a0 + i * ars, ars, aps, b, b0 + j, ldb, kc);
                    i += 1;
                }
            }
            for (; j + L <= n; j += L) {
                int i = 0;
                for (; i + MR <= m; i += MR) {
                    k8x1(c, cOff + i * ldc + j, ldc, a, a0 + i * ars, ars, aps, b, b0 + j, ldb, kc);
                }
                if (m - i >= 4) {
                    k4x1(c, cOff + i * ldc + j, ldc, a, a0 + i * ars, ars, aps, b, b0 + j, ldb, kc);
                    i += 4;
                }
                if (m - i >= 2) {
                    k2x1(c, cOff + i * ldc + j, ldc, a, a0 + i * ars, ars, aps, b, b0 + j, ldb, kc);
                    i += 2;
                }
                if (m - i >= 1) {
                    k1x1(c, cOff + i * ldc + j, ldc, a, a0 + i * ars, ars, aps, b, b0 + j, ldb, kc);
                    i += 1;
                }
            }
            if (j < n) {
                if (aps == 1) {
                    dotStrip(c, cOff + j, ldc, a, a0, ars, b, b0 + j, ldb, m, n - j, kc);
                } else {
                    scalarStrip(c, cOff + j, ldc, a, a0, ars, aps, b, b0 + j, ldb, m, n - j, kc);
                }
            }
        }
    }

    /**
     * The narrow strip (w < L columns) of gemm, where each row of A is contiguous in k: each column of B
     * is gathered once, then every row of C gets one vector dot product. A head of 65 outputs (a
     * character vocabulary) spent ~0.4 ms a window in the plain strip at 2048 x 256 (a 64-column product
     * takes 0.69 ms, a 65-column one took 1.10).
     */
    private static void dotStrip(float[] c, int ci, int ldc, float[] a, int ai, int lda, float[] b, int bi, int ldb,
                                 int m, int w, int kc) {
        final float[] col = SCRATCH.get();
        final int kv = kc - kc % L;
        for (int q = 0; q < w; q++) {
            for (int p = 0, bp = bi + q; p < kc; p++, bp += ldb) {
                col[p] = b[bp];
            }
            for (int i = 0; i < m; i++) {
                int arow = ai + i * lda;
                FloatVector acc = FloatVector.zero(S);
                for (int p = 0; p < kv; p += L) {
                    acc = FloatVector.fromArray(S, a, arow + p).fma(FloatVector.fromArray(S, col, p), acc);
                }
                float sum = VectorMath.sumInOrder(acc);
                for (int p = kv; p < kc; p++) {
                    sum += a[arow + p] * col[p];
                }
                c[ci + i * ldc + q] += sum;
            }
        }
    }

    /**
     * C[m, w] += A[m, kc] * B[kc, w] for a narrow strip (w < L columns) where A's rows are not contiguous
     * (gemmAt), in plain Java. Masked vector kernels were tried here; C1 cannot compile them (out of
     * registers) and C2 does not always take them over, so they ran boxed and allocated.
     */
    private static void scalarStrip(float[] c, int ci, int ldc, float[] a, int ai, int ars, int aps, float[] b, int bi,
                                    int ldb, int m, int w, int kc) {
        // One output at a time in a register (the same additions in the same order as accumulating
        // into c directly, so the same bits, without a load and a store of c per term).
        for (int i = 0; i < m; i++) {
            int crow = ci + i * ldc;
            int arow = ai + i * ars;
            for (int q = 0; q < w; q++) {
                float acc = c[crow + q];
                for (int p = 0, ap = arow, bp = bi + q; p < kc; p++, ap += aps, bp += ldb) {
                    acc += a[ap] * b[bp];
                }
                c[crow + q] = acc;
            }
        }
    }

    // The kRxV micro-kernels below (R rows of C x V vectors) all have the same
    // shape: load C, then for each p broadcast A(i + r, p) and FMA it with V vectors of row p of B, then
    // store C. They are written out by a small generator rather than by hand; change them all alike.

    private static void k8x3(float[] c, int ci, int ldc, float[] a, int ai, int ars, int aps, float[] b, int bi, int ldb, int kc) {
        FloatVector c00 = FloatVector.fromArray(S, c, ci);
        FloatVector c01 = FloatVector.fromArray(S, c, ci + L);
        FloatVector c02 = FloatVector.fromArray(S, c, ci + 2 * L);
        FloatVector c10 = FloatVector.fromArray(S, c, ci + 1 * ldc);
        FloatVector c11 = FloatVector.fromArray(S, c, ci + 1 * ldc + L);
        FloatVector c12 = FloatVector.fromArray(S, c, ci + 1 * ldc + 2 * L);
        FloatVector c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
        FloatVector c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
        FloatVector c22 = FloatVector.fromArray(S, c, ci + 2 * ldc + 2 * L);
        FloatVector c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
        FloatVector c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
        FloatVector c32 = FloatVector.fromArray(S, c, ci + 3 * ldc + 2 * L);
        FloatVector c40 = FloatVector.fromArray(S, c, ci + 4 * ldc);
        FloatVector c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
        FloatVector c42 = FloatVector.fromArray(S, c, ci + 4 * ldc + 2 * L);
        FloatVector c50 = FloatVector.fromArray(S, c, ci + 5 * ldc);
        FloatVector c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
        FloatVector c52 = FloatVector.fromArray(S, c, ci + 5 * ldc + 2 * L);
        FloatVector c60 = FloatVector.fromArray(S, c, ci + 6 * ldc);
        FloatVector c61 = FloatVector.fromArray(S, c, ci + 6 * ldc + L);
        FloatVector c62 = FloatVector.fromArray(S, c, ci + 6 * ldc + 2 * L);
        FloatVector c70 = FloatVector.fromArray(S, c, ci + 7 * ldc);
        FloatVector c71 = FloatVector.fromArray(S, c, ci + 7 * ldc + L);
        FloatVector c72 = FloatVector.fromArray(S, c, ci + 7 * ldc + 2 * L);
        for (int p = 0, ap = ai, bp = bi; p < kc; p++, ap += aps, bp += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + ars]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2 * ars]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3 * ars]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            FloatVector a4 = FloatVector.broadcast(S, a[ap + 4 * ars]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            c42 = a4.fma(b2, c42);
            FloatVector a5 = FloatVector.broadcast(S, a[ap + 5 * ars]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            c52 = a5.fma(b2, c52);
            FloatVector a6 = FloatVector.broadcast(S, a[ap + 6 * ars]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            c62 = a6.fma(b2, c62);
            FloatVector a7 = FloatVector.broadcast(S, a[ap + 7 * ars]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
            c72 = a7.fma(b2, c72);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c02.intoArray(c, ci + 2 * L);
        c10.intoArray(c, ci + 1 * ldc);
        c11.intoArray(c, ci + 1 * ldc + L);
        c12.intoArray(c, ci + 1 * ldc + 2 * L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c22.intoArray(c, ci + 2 * ldc + 2 * L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c32.intoArray(c, ci + 3 * ldc + 2 * L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
        c42.intoArray(c, ci + 4 * ldc + 2 * L);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + L);
        c52.intoArray(c, ci + 5 * ldc + 2 * L);
        c60.intoArray(c, ci + 6 * ldc);
        c61.intoArray(c, ci + 6 * ldc + L);
        c62.intoArray(c, ci + 6 * ldc + 2 * L);
        c70.intoArray(c, ci + 7 * ldc);
        c71.intoArray(c, ci + 7 * ldc + L);
        c72.intoArray(c, ci + 7 * ldc + 2 * L);
    }

    private static void k8x1(float[] c, int ci, int ldc, float[] a, int ai, int ars, int aps, float[] b, int bi, int ldb, int kc) {
        FloatVector c00 = FloatVector.fromArray(S, c, ci);
        FloatVector c10 = FloatVector.fromArray(S, c, ci + 1 * ldc);
        FloatVector c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
        FloatVector c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
        FloatVector c40 = FloatVector.fromArray(S, c, ci + 4 * ldc);
        FloatVector c50 = FloatVector.fromArray(S, c, ci + 5 * ldc);
        FloatVector c60 = FloatVector.fromArray(S, c, ci + 6 * ldc);
        FloatVector c70 = FloatVector.fromArray(S, c, ci + 7 * ldc);
        for (int p = 0, ap = ai, bp = bi; p < kc; p++, ap += aps, bp += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + ars]);
            c10 = a1.fma(b0, c10);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2 * ars]);
            c20 = a2.fma(b0, c20);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3 * ars]);
            c30 = a3.fma(b0, c30);
            FloatVector a4 = FloatVector.broadcast(S, a[ap + 4 * ars]);
            c40 = a4.fma(b0, c40);
            FloatVector a5 = FloatVector.broadcast(S, a[ap + 5 * ars]);
            c50 = a5.fma(b0, c50);
            FloatVector a6 = FloatVector.broadcast(S, a[ap + 6 * ars]);
            c60 = a6.fma(b0, c60);
            FloatVector a7 = FloatVector.broadcast(S, a[ap + 7 * ars]);
            c70 = a7.fma(b0, c70);
        }
        c00.intoArray(c, ci);
        c10.intoArray(c, ci + 1 * ldc);
        c20.intoArray(c, ci + 2 * ldc);
        c30.intoArray(c, ci + 3 * ldc);
        c40.intoArray(c, ci + 4 * ldc);
        c50.intoArray(c, ci + 5 * ldc);
        c60.intoArray(c, ci + 6 * ldc);
        c70.intoArray(c, ci + 7 * ldc);
    }

    private static void k4x3(float[] c, int ci, int ldc, float[] a, int ai, int ars, int aps, float[] b, int bi, int ldb, int kc) {
        FloatVector c00 = FloatVector.fromArray(S, c, ci);
        FloatVector c01 = FloatVector.fromArray(S, c, ci + L);
        FloatVector c02 = FloatVector.fromArray(S, c, ci + 2 * L);
        FloatVector c10 = FloatVector.fromArray(S, c, ci + 1 * ldc);
        FloatVector c11 = FloatVector.fromArray(S, c, ci + 1 * ldc + L);
        FloatVector c12 = FloatVector.fromArray(S, c, ci + 1 * ldc + 2 * L);
        FloatVector c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
        FloatVector c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
        FloatVector c22 = FloatVector.fromArray(S, c, ci + 2 * ldc + 2 * L);
        FloatVector c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
        FloatVector c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
        FloatVector c32 = FloatVector.fromArray(S, c, ci + 3 * ldc + 2 * L);
        for (int p = 0, ap = ai, bp = bi; p < kc; p++, ap += aps, bp += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + ars]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2 * ars]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3 * ars]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c02.intoArray(c, ci + 2 * L);
        c10.intoArray(c, ci + 1 * ldc);
        c11.intoArray(c, ci + 1 * ldc + L);
        c12.intoArray(c, ci + 1 * ldc + 2 * L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c22.intoArray(c, ci + 2 * ldc + 2 * L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c32.intoArray(c, ci + 3 * ldc + 2 * L);
    }

    private static void k4x1(float[] c, int ci, int ldc, float[] a, int ai, int ars, int aps, float[] b, int bi, int ldb, int kc) {
        FloatVector c00 = FloatVector.fromArray(S, c, ci);
        FloatVector c10 = FloatVector.fromArray(S, c, ci + 1 * ldc);
        FloatVector c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
        FloatVector c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
        for (int p = 0, ap = ai, bp = bi; p < kc; p++, ap += aps, bp += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + ars]);
            c10 = a1.fma(b0, c10);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2 * ars]);
            c20 = a2.fma(b0, c20);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3 * ars]);
            c30 = a3.fma(b0, c30);
        }
        c00.intoArray(c, ci);
        c10.intoArray(c, ci + 1 * ldc);
        c20.intoArray(c, ci + 2 * ldc);
        c30.intoArray(c, ci + 3 * ldc);
    }

    private static void k2x3(float[] c, int ci, int ldc, float[] a, int ai, int ars, int aps, float[] b, int bi, int ldb, int kc) {
        FloatVector c00 = FloatVector.fromArray(S, c, ci);
        FloatVector c01 = FloatVector.fromArray(S, c, ci + L);
        FloatVector c02 = FloatVector.fromArray(S, c, ci + 2 * L);
        FloatVector c10 = FloatVector.fromArray(S, c, ci + 1 * ldc);
        FloatVector c11 = FloatVector.fromArray(S, c, ci + 1 * ldc + L);
        FloatVector c12 = FloatVector.fromArray(S, c, ci + 1 * ldc + 2 * L);
        for (int p = 0, ap = ai, bp = bi; p < kc; p++, ap += aps, bp += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + ars]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c02.intoArray(c, ci + 2 * L);
        c10.intoArray(c, ci + 1 * ldc);
        c11.intoArray(c, ci + 1 * ldc + L);
        c12.intoArray(c, ci + 1 * ldc + 2 * L);
    }

    private static void k2x1(float[] c, int ci, int ldc, float[] a, int ai, int ars, int aps, float[] b, int bi, int ldb, int kc) {
        FloatVector c00 = FloatVector.fromArray(S, c, ci);
        FloatVector c10 = FloatVector.fromArray(S, c, ci + 1 * ldc);
        for (int p = 0, ap = ai, bp = bi; p < kc; p++, ap += aps, bp += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + ars]);
            c10 = a1.fma(b0, c10);
        }
        c00.intoArray(c, ci);
        c10.intoArray(c, ci + 1 * ldc);
    }

    private static void k1x3(float[] c, int ci, int ldc, float[] a, int ai, int ars, int aps, float[] b, int bi, int ldb, int kc) {
        FloatVector c00 = FloatVector.fromArray(S, c, ci);
        FloatVector c01 = FloatVector.fromArray(S, c, ci + L);
        FloatVector c02 = FloatVector.fromArray(S, c, ci + 2 * L);
        for (int p = 0, ap = ai, bp = bi; p < kc; p++, ap += aps, bp += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c02.intoArray(c, ci + 2 * L);
    }

    private static void k1x1(float[] c, int ci, int ldc, float[] a, int ai, int ars, int aps, float[] b, int bi, int ldb, int kc) {
        FloatVector c00 = FloatVector.fromArray(S, c, ci);
        for (int p = 0, ap = ai, bp = bi; p < kc; p++, ap += aps, bp += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00);
        }
        c00.intoArray(c, ci);
    }

    @Override
    public void gemmBt(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       int m, int n, int k) {
        if (m <= 0 || n <= 0 || k <= 0) {
            return;
        }
        // Columns of C (rows of B) in chunks of about 256 KiB of B, so each chunk is reused from L2 by
        // every row block of A instead of streaming all of B once per row block.
        int jc = Math.max(2, (BT_CHUNK_FLOATS / k) & ~1);
        for (int j0 = 0; j0 < n; j0 += jc) {
            int j1 = Math.min(n, j0 + jc);
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                int j = j0;
                for (; j + 2 <= j1; j += 2) {
                    dot4x2(c, cOff + i * ldc + j, ldc, a, aOff + i * lda, lda, b, bOff + j * ldb, ldb, k);
                }
                if (j < j1) {
                    dot4x1(c, cOff + i * ldc + j, ldc, a, aOff + i * lda, lda, b, bOff + j * ldb, k);
                }
            }
            for (; i < m; i++) {
                // one row left: the chunk of B's rows against it is a gemv
                gemvT(c, cOff + i * ldc + j0, a, aOff + i * lda, b, bOff + j0 * ldb, ldb, j1 - j0, k);
            }
        }
    }

    /** C[4 rows, 2 columns] += A[4 rows, k] . B[2 rows, k]. */
    private static void dot4x2(float[] c, int ci, int ldc, float[] a, int ai, int lda, float[] b, int bj, int ldb,
                               int k) {
        FloatVector s00 = FloatVector.zero(S), s01 = FloatVector.zero(S);
        FloatVector s10 = FloatVector.zero(S), s11 = FloatVector.zero(S);
        FloatVector s20 = FloatVector.zero(S), s21 = FloatVector.zero(S);
        FloatVector s30 = FloatVector.zero(S), s31 = FloatVector.zero(S);
        int p = 0;
        for (; p + L <= k; p += L) {
            FloatVector b0 = FloatVector.fromArray(S, b, bj + p);
            FloatVector b1 = FloatVector.fromArray(S, b, bj + ldb + p);
            FloatVector a0 = FloatVector.fromArray(S, a, ai + p);
            s00 = a0.fma(b0, s00);
            s01 = a0.fma(b1, s01);
            FloatVector a1 = FloatVector.fromArray(S, a, ai + lda + p);
            s10 = a1.fma(b0, s10);
            s11 = a1.fma(b1, s11);
            FloatVector a2 = FloatVector.fromArray(S, a, ai + 2 * lda + p);
            s20 = a2.fma(b0, s20);
            s21 = a2.fma(b1, s21);
            FloatVector a3 = FloatVector.fromArray(S, a, ai + 3 * lda + p);
            s30 = a3.fma(b0, s30);
            s31 = a3.fma(b1, s31);
        }
        if (p < k) {
            VectorMask<Float> mk = S.indexInRange(p, k);
            FloatVector b0 = FloatVector.fromArray(S, b, bj + p, mk);
            FloatVector b1 = FloatVector.fromArray(S, b, bj + ldb + p, mk);
            FloatVector a0 = FloatVector.fromArray(S, a, ai + p, mk);
            s00 = a0.fma(b0, s00);
            s01 = a0.fma(b1, s01);
            FloatVector a1 = FloatVector.fromArray(S, a, ai + lda + p, mk);
            s10 = a1.fma(b0, s10);
            s11 = a1.fma(b1, s11);
            FloatVector a2 = FloatVector.fromArray(S, a, ai + 2 * lda + p, mk);
            s20 = a2.fma(b0, s20);
            s21 = a2.fma(b1, s21);
            FloatVector a3 = FloatVector.fromArray(S, a, ai + 3 * lda + p, mk);
            s30 = a3.fma(b0, s30);
            s31 = a3.fma(b1, s31);
        }
        c[ci] += VectorMath.sumInOrder(s00);
        c[ci + 1] += VectorMath.sumInOrder(s01);
        c[ci + ldc] += VectorMath.sumInOrder(s10);
        c[ci + ldc + 1] += VectorMath.sumInOrder(s11);
        c[ci + 2 * ldc] += VectorMath.sumInOrder(s20);
        c[ci + 2 * ldc + 1] += VectorMath.sumInOrder(s21);
        c[ci + 3 * ldc] += VectorMath.sumInOrder(s30);
        c[ci + 3 * ldc + 1] += VectorMath.sumInOrder(s31);
    }

    /** C[4 rows, 1 column] += A[4 rows, k] . B[1 row, k]. */
    private static void dot4x1(float[] c, int ci, int ldc, float[] a, int ai, int lda, float[] b, int bj, int k) {
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
        int p = 0;
        for (; p + L <= k; p += L) {
            FloatVector bv = FloatVector.fromArray(S, b, bj + p);
            s0 = FloatVector.fromArray(S, a, ai + p).fma(bv, s0);
            s1 = FloatVector.fromArray(S, a, ai + lda + p).fma(bv, s1);
            s2 = FloatVector.fromArray(S, a, ai + 2 * lda + p).fma(bv, s2);
            s3 = FloatVector.fromArray(S, a, ai + 3 * lda + p).fma(bv, s3);
        }
        if (p < k) {
            VectorMask<Float> mk = S.indexInRange(p, k);
            FloatVector bv = FloatVector.fromArray(S, b, bj + p, mk);
            s0 = FloatVector.fromArray(S, a, ai + p, mk).fma(bv, s0);
            s1 = FloatVector.fromArray(S, a, ai + lda + p, mk).fma(bv, s1);
            s2 = FloatVector.fromArray(S, a, ai + 2 * lda + p, mk).fma(bv, s2);
            s3 = FloatVector.fromArray(S, a, ai + 3 * lda + p, mk).fma(bv, s3);
        }
        c[ci] += VectorMath.sumInOrder(s0);
        c[ci + ldc] += VectorMath.sumInOrder(s1);
        c[ci + 2 * ldc] += VectorMath.sumInOrder(s2);
        c[ci + 3 * ldc] += VectorMath.sumInOrder(s3);
    }

    /** y[m] += A[m, n] . x[n], four rows of A at a time against one pass over x. */
    @Override
    public void gemv(float[] y, int yOff, float[] a, int aOff, int lda, float[] x, int xOff, int m, int n) {
        if (m <= 0 || n <= 0) {
            return;
        }
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            dot4x1(y, yOff + i, 1, a, aOff + i * lda, lda, x, xOff, n);
        }
        for (; i < m; i++) {
            y[yOff + i] += dot(a, aOff + i * lda, x, xOff, n);
        }
    }

    /** y[n] += B[n, k] . x[k] (row i of a gemmBt with one row left). */
    private void gemvT(float[] y, int yOff, float[] x, int xOff, float[] b, int bOff, int ldb, int n, int k) {
        gemv(y, yOff, b, bOff, ldb, x, xOff, n, k);
    }

    // ---------------------------------------------------------------- vectors

    @Override
    public void axpy(float[] y, int yOff, float alpha, float[] x, int xOff, int n) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, x, xOff + i).fma(va, FloatVector.fromArray(S, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    public float dot(float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
        int i = 0;
        for (; i + 4 * L <= n; i += 4 * L) {
            s0 = FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), s0);
            s1 = FloatVector.fromArray(S, x, xOff + i + L).fma(FloatVector.fromArray(S, y, yOff + i + L), s1);
            s2 = FloatVector.fromArray(S, x, xOff + i + 2 * L)
                    .fma(FloatVector.fromArray(S, y, yOff + i + 2 * L), s2);
            s3 = FloatVector.fromArray(S, x, xOff + i + 3 * L)
                    .fma(FloatVector.fromArray(S, y, yOff + i + 3 * L), s3);
        }
        for (; i + L <= n; i += L) {
            s0 = FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), s0);
        }
        float s = VectorMath.sumInOrder(s0.add(s1).add(s2.add(s3)));
        for (; i < n; i++) {
            s += x[xOff + i] * y[yOff + i];
        }
        return s;
    }

    @Override
    public void scale(float[] x, int xOff, float alpha, int n) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, x, xOff + i).mul(va).intoArray(x, xOff + i);
        }
        for (; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }

    /**
     * Squares are summed in two float vectors over blocks of {@link #SQ_BLOCK} elements (32 terms a
     * lane), and each block's total is added in double: relative error stays near 1e-6 at any length.
     */
    @Override
    public double sumSquares(float[] x, int xOff, int n) {
        double total = 0;
        int i = 0;
        while (i + L <= n) {
            int end = Math.min(n, i + SQ_BLOCK);
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
            for (; i + 2 * L <= end; i += 2 * L) {
                FloatVector v0 = FloatVector.fromArray(S, x, xOff + i);
                FloatVector v1 = FloatVector.fromArray(S, x, xOff + i + L);
                s0 = v0.fma(v0, s0);
                s1 = v1.fma(v1, s1);
            }
            for (; i + L <= end; i += L) {
                FloatVector v0 = FloatVector.fromArray(S, x, xOff + i);
                s0 = v0.fma(v0, s0);
            }
            total += VectorMath.sumInOrder(s0.add(s1));
        }
        for (; i < n; i++) {
            double v = x[xOff + i];
            total += v * v;
        }
        return total;
    }

    /**
     * A running max of the exponent bits (finite floats stay below {@code EXP_MASK}) is tested once
     * per {@link #NF_BLOCK}; only a block that has a hit is walked again for its first lane.
     */
    @Override
    public int firstNonFinite(float[] x, int xOff, int n) {
        IntVector exp = IntVector.broadcast(IS, EXP_MASK);
        int i = 0;
        while (i + L <= n) {
            int start = i;
            int end = Math.min(n, i + NF_BLOCK);
            IntVector acc = IntVector.zero(IS);
            for (; i + L <= end; i += L) {
                acc = acc.max(FloatVector.fromArray(S, x, xOff + i).reinterpretAsInts().and(exp));
            }
            if (acc.compare(VectorOperators.EQ, exp).anyTrue()) {
                for (int j = start; ; j += L) {
                    VectorMask<Integer> hit = FloatVector.fromArray(S, x, xOff + j).reinterpretAsInts().and(exp)
                            .compare(VectorOperators.EQ, exp);
                    if (hit.anyTrue()) {
                        return xOff + j + hit.firstTrue();
                    }
                }
            }
        }
        for (; i < n; i++) {
            if (!Float.isFinite(x[xOff + i])) {
                return xOff + i;
            }
        }
        return -1;
    }

    @Override
    public void addRow(float[] c, int cOff, int ldc, float[] v, int vOff, int m, int n) {
        for (int r = 0; r < m; r++) {
            int row = cOff + r * ldc;
            int j = 0;
            for (; j + L <= n; j += L) {
                FloatVector.fromArray(S, c, row + j).add(FloatVector.fromArray(S, v, vOff + j)).intoArray(c, row + j);
            }
            for (; j < n; j++) {
                c[row + j] += v[vOff + j];
            }
        }
    }

    /** Sums a strip of columns down all rows in registers, then adds it to out once. */
    @Override
    public void sumRows(float[] out, int outOff, float[] a, int aOff, int lda, int m, int n) {
        if (m <= 0) {
            return;
        }
        int j = 0;
        for (; j + 2 * L <= n; j += 2 * L) {
            FloatVector s0 = FloatVector.fromArray(S, out, outOff + j);
            FloatVector s1 = FloatVector.fromArray(S, out, outOff + j + L);
            for (int r = 0, ar = aOff + j; r < m; r++, ar += lda) {
                s0 = s0.add(FloatVector.fromArray(S, a, ar));
                s1 = s1.add(FloatVector.fromArray(S, a, ar + L));
            }
            s0.intoArray(out, outOff + j);
            s1.intoArray(out, outOff + j + L);
        }
        for (; j + L <= n; j += L) {
            FloatVector s0 = FloatVector.fromArray(S, out, outOff + j);
            for (int r = 0, ar = aOff + j; r < m; r++, ar += lda) {
                s0 = s0.add(FloatVector.fromArray(S, a, ar));
            }
            s0.intoArray(out, outOff + j);
        }
        for (; j < n; j++) {
            float s = out[outOff + j];
            for (int r = 0, ar = aOff + j; r < m; r++, ar += lda) {
                s += a[ar];
            }
            out[outOff + j] = s;
        }
    }

    // ---------------------------------------------------------------- activations

    @Override
    public void sigmoid(float[] y, int yOff, float[] x, int xOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            VectorMath.sigmoid(FloatVector.fromArray(S, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = (float) (1.0 / (1.0 + Math.exp(-x[xOff + i])));
        }
    }

    @Override
    public void tanh(float[] y, int yOff, float[] x, int xOff, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            VectorMath.tanh(FloatVector.fromArray(S, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = (float) Math.tanh(x[xOff + i]);
        }
    }

    @Override
    public void relu(float[] y, int yOff, float[] x, int xOff, int n) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, x, xOff + i).max(zero).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.max(0f, x[xOff + i]);
        }
    }

    @Override
    public void sigmoidBackward(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector s = FloatVector.fromArray(S, y, yOff + i);
            FloatVector.fromArray(S, dy, dyOff + i).mul(s).mul(one.sub(s)).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            float s = y[yOff + i];
            dx[dxOff + i] = dy[dyOff + i] * s * (1f - s);
        }
    }

    @Override
    public void tanhBackward(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector t = FloatVector.fromArray(S, y, yOff + i);
            FloatVector.fromArray(S, dy, dyOff + i).mul(one.sub(t.mul(t))).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            float t = y[yOff + i];
            dx[dxOff + i] = dy[dyOff + i] * (1f - t * t);
        }
    }

    /**
     * The same arithmetic as {@link ScalarKernels#lstmBackward}, lane by lane: mul/add/sub in the same
     * order and no fma, so the result is bit-identical to the scalar twin (and tested so).
     */
    @Override
    public void lstmBackward(float[] dG, int dOff, float[] dcNext, float[] dhNext, int carryOff, float[] gates,
                             int gOff, float[] cPrev, int cOff, float[] tc, int tcOff, float[] dhOut, int dhOff,
                             int hidden) {
        final int h = hidden;
        FloatVector one = FloatVector.broadcast(S, 1f);
        int j = 0;
        for (; j + L <= h; j += L) {
            FloatVector i = FloatVector.fromArray(S, gates, gOff + j);
            FloatVector f = FloatVector.fromArray(S, gates, gOff + h + j);
            FloatVector g = FloatVector.fromArray(S, gates, gOff + 2 * h + j);
            FloatVector o = FloatVector.fromArray(S, gates, gOff + 3 * h + j);
            FloatVector t = FloatVector.fromArray(S, tc, tcOff + j);
            FloatVector dh = FloatVector.fromArray(S, dhOut, dhOff + j).add(FloatVector.fromArray(S, dhNext, carryOff + j));
            FloatVector dc = FloatVector.fromArray(S, dcNext, carryOff + j).add(dh.mul(o).mul(one.sub(t.mul(t))));
            dc.mul(g).mul(i).mul(one.sub(i)).intoArray(dG, dOff + j);
            dc.mul(FloatVector.fromArray(S, cPrev, cOff + j)).mul(f).mul(one.sub(f)).intoArray(dG, dOff + h + j);
            dc.mul(i).mul(one.sub(g.mul(g))).intoArray(dG, dOff + 2 * h + j);
            dh.mul(t).mul(o).mul(one.sub(o)).intoArray(dG, dOff + 3 * h + j);
            dc.mul(f).intoArray(dcNext, carryOff + j);
        }
        ScalarKernels.lstmBackwardUnits(dG, dOff, dcNext, dhNext, carryOff, gates, gOff, cPrev, cOff, tc, tcOff, dhOut,
                dhOff, h, j);
    }

    /** As {@link ScalarKernels#gruBackward}, lane by lane, unfused: bit-identical to it. */
    @Override
    public void gruBackward(float[] dGx, float[] dGh, int dOff, float[] dhNext, int carryOff, float[] gates, int gOff,
                            float[] hn, int hnOff, float[] hPrev, int hOff, float[] dhOut, int dhOff, int hidden) {
        final int h = hidden;
        FloatVector one = FloatVector.broadcast(S, 1f);
        int j = 0;
        for (; j + L <= h; j += L) {
            FloatVector r = FloatVector.fromArray(S, gates, gOff + j);
            FloatVector z = FloatVector.fromArray(S, gates, gOff + h + j);
            FloatVector n = FloatVector.fromArray(S, gates, gOff + 2 * h + j);
            FloatVector dh = FloatVector.fromArray(S, dhOut, dhOff + j).add(FloatVector.fromArray(S, dhNext, carryOff + j));
            FloatVector dn = dh.mul(one.sub(z)).mul(one.sub(n.mul(n)));
            FloatVector dz = dh.mul(FloatVector.fromArray(S, hPrev, hOff + j).sub(n)).mul(z).mul(one.sub(z));
            FloatVector dr = dn.mul(FloatVector.fromArray(S, hn, hnOff + j)).mul(r).mul(one.sub(r));
            dr.intoArray(dGx, dOff + j);
            dz.intoArray(dGx, dOff + h + j);
            dn.intoArray(dGx, dOff + 2 * h + j);
            dr.intoArray(dGh, dOff + j);
            dz.intoArray(dGh, dOff + h + j);
            dn.mul(r).intoArray(dGh, dOff + 2 * h + j);
            dh.mul(z).intoArray(dhNext, carryOff + j);
        }
        ScalarKernels.gruBackwardUnits(dGx, dGh, dOff, dhNext, carryOff, gates, gOff, hn, hnOff, hPrev, hOff, dhOut, dhOff,
                h, j);
    }

    @Override
    public void reluBackward(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff, int n) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= n; i += L) {
            VectorMask<Float> pos = FloatVector.fromArray(S, y, yOff + i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(S, dy, dyOff + i), pos).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            dx[dxOff + i] = y[yOff + i] > 0f ? dy[dyOff + i] : 0f;
        }
    }

    // ---------------------------------------------------------------- loss

    /**
     * Row max and exp-sum run on vectors where a row holds at least one vector (the exp-sum in float
     * lanes, reduced into double); the log-sum-exp itself, the loss and the target's gradient are
     * computed in double like the scalar twin. Probabilities are exp((x - max) - log(sum)), which keeps
     * the float exponent exact to a few ulps even for large logits. dlogits may alias logits.
     */
    @Override
    public double crossEntropy(float[] dlogits, int dOff, float[] logits, int lOff, int ld, int[] targets, int tOff,
                               int rows, int cols, float gradScale) {
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            int row = lOff + r * ld;
            int j = 0;
            float max = Float.NEGATIVE_INFINITY;
            if (cols >= L) {
                FloatVector vmax = FloatVector.fromArray(S, logits, row);
                for (j = L; j + L <= cols; j += L) {
                    vmax = vmax.max(FloatVector.fromArray(S, logits, row + j));
                }
                max = vmax.reduceLanes(VectorOperators.MAX);
            }
            for (; j < cols; j++) {
                max = Math.max(max, logits[row + j]);
            }
            double sum = 0;
            j = 0;
            if (cols >= L) {
                FloatVector vm = FloatVector.broadcast(S, max);
                FloatVector s0 = FloatVector.zero(S);
                for (; j + L <= cols; j += L) {
                    s0 = s0.add(VectorMath.exp(FloatVector.fromArray(S, logits, row + j).sub(vm)));
                }
                sum = VectorMath.sumInOrder(s0);
            }
            for (; j < cols; j++) {
                sum += Math.exp(logits[row + j] - max);
            }
            double lse = Math.log(sum);
            double logSum = max + lse;
            int target = targets[tOff + r];
            float xt = logits[row + target];
            loss += logSum - xt;
            if (dlogits != null) {
                int drow = dOff + r * ld;
                j = 0;
                FloatVector vm = FloatVector.broadcast(S, max);
                FloatVector vl = FloatVector.broadcast(S, (float) lse);
                FloatVector vg = FloatVector.broadcast(S, gradScale);
                for (; j + L <= cols; j += L) {
                    VectorMath.exp(FloatVector.fromArray(S, logits, row + j).sub(vm).sub(vl)).mul(vg)
                            .intoArray(dlogits, drow + j);
                }
                for (; j < cols; j++) {
                    dlogits[drow + j] = (float) Math.exp(logits[row + j] - logSum) * gradScale;
                }
                dlogits[drow + target] = ((float) Math.exp(xt - logSum) - 1f) * gradScale;
            }
        }
        return loss;
    }
}

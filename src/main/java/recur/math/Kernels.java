package recur.math;

/**
 * The numerical kernels every computation in recur is built from. All matrices are row-major
 * {@code float[]} with an offset and a leading dimension (the distance between rows), so views
 * into the flat parameter buffer and into workspaces are used without copies.
 *
 * <p>Arguments come in the order outputs, inputs, sizes. Matrix products accumulate ({@code +=});
 * the elementwise functions overwrite their output (which may alias the input).
 *
 * <p>Two implementations: {@link VectorKernels} (SIMD, the default) and {@link ScalarKernels}
 * (plain loops, the oracle the SIMD one is tested against). {@code -Drecur.scalar=true} runs the
 * whole program on the scalar path. No kernel allocates.
 */
public interface Kernels {

    /** The kernels the program runs on: scalar when {@code -Drecur.scalar=true}, else SIMD. */
    static Kernels get() {
        return Holder.DEFAULT;
    }

    final class Holder {
        private Holder() {}
        static final Kernels DEFAULT =
                Boolean.getBoolean("recur.scalar") ? new ScalarKernels() : new VectorKernels();
    }

    /** A short name for reports: "scalar" or "vector-512" etc. */
    String name();

    // ---- matrix products: C (m, n) += ... ----

    /** C[m,n] += A[m,k] * B[k,n]. */
    void gemm(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
              int m, int n, int k);

    /** C[m,n] += A[m,k] * B[n,k]^T. */
    void gemmBt(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                int m, int n, int k);

    /** C[m,n] += A[k,m]^T * B[k,n]. */
    void gemmAt(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                int m, int n, int k);

    /** y[m] += A[m,n] * x[n]. */
    void gemv(float[] y, int yOff, float[] a, int aOff, int lda, float[] x, int xOff, int m, int n);

    // ---- vectors ----

    /** y[n] += alpha * x[n]. */
    void axpy(float[] y, int yOff, float alpha, float[] x, int xOff, int n);

    /** sum x[i] * y[i]. */
    float dot(float[] x, int xOff, float[] y, int yOff, int n);

    /** x[n] *= alpha. */
    void scale(float[] x, int xOff, float alpha, int n);

    /** sum x[i]^2, accumulated in double (used for the global gradient norm). */
    double sumSquares(float[] x, int xOff, int n);

    /**
     * Index (into x, so in {@code [xOff, xOff + n)}) of the first NaN or ±Inf among x[n], or -1 when all
     * are finite: the check that skips a step or rejects a push.
     */
    int firstNonFinite(float[] x, int xOff, int n);

    /** C[i, :] += v for every row i of C (m, n): adds a bias row. */
    void addRow(float[] c, int cOff, int ldc, float[] v, int vOff, int m, int n);

    /** out[n] += sum over rows of A[m,n]: accumulates a bias gradient. */
    void sumRows(float[] out, int outOff, float[] a, int aOff, int lda, int m, int n);

    // ---- activations (y may alias x) and their backward forms (dx may alias dy) ----

    void sigmoid(float[] y, int yOff, float[] x, int xOff, int n);

    void tanh(float[] y, int yOff, float[] x, int xOff, int n);

    void relu(float[] y, int yOff, float[] x, int xOff, int n);

    /** dx = dy * y * (1 - y), where y = sigmoid(x). */
    void sigmoidBackward(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff, int n);

    /** dx = dy * (1 - y^2), where y = tanh(x). */
    void tanhBackward(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff, int n);

    /** dx = y > 0 ? dy : 0, where y = relu(x). */
    void reluBackward(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff, int n);

    // ---- recurrent cells: the pointwise part of backward, one row of H units ----

    /**
     * LSTM backward through one row's gates (PyTorch order i, f, g, o, activated, at {@code gates[g..g+4H)}):
     * dh = dhOut + dhNext; dc = dcNext + dh o (1 - tc^2); dG = (dc g i (1 - i), dc cPrev f (1 - f),
     * dc i (1 - g^2), dh tc o (1 - o)) written to {@code dG[d..d+4H)}; then dcNext = dc f (in place).
     * Every product is evaluated left to right, unfused, so both implementations give the same bits.
     */
    void lstmBackward(float[] dG, int dOff, float[] dcNext, float[] dhNext, int carryOff, float[] gates, int gOff,
                      float[] cPrev, int cOff, float[] tc, int tcOff, float[] dhOut, int dhOff, int hidden);

    /**
     * GRU backward through one row's gates (order r, z, n, activated, at {@code gates[g..g+3H)};
     * {@code hn} = W_hn h + b_hn): dh = dhOut + dhNext; dn = dh (1 - z)(1 - n^2); dz = dh (hPrev - n) z (1 - z);
     * dr = dn hn r (1 - r); input side dGx = (dr, dz, dn), hidden side dGh = (dr, dz, dn r); then
     * dhNext = dh z (in place). Products left to right, unfused.
     */
    void gruBackward(float[] dGx, float[] dGh, int dOff, float[] dhNext, int carryOff, float[] gates, int gOff,
                     float[] hn, int hnOff, float[] hPrev, int hOff, float[] dhOut, int dhOff, int hidden);

    // ---- loss ----

    /**
     * Row-wise log-softmax cross-entropy over logits (rows, cols) with leading dimension ld.
     * Returns the sum over rows of -log softmax(row)[target]. When dlogits is not null it receives
     * (softmax(row) - onehot(target)) * gradScale, with the same leading dimension.
     */
    double crossEntropy(float[] dlogits, int dOff, float[] logits, int lOff, int ld, int[] targets, int tOff,
                        int rows, int cols, float gradScale);
}

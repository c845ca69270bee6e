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

    // ---- loss ----

    /**
     * Row-wise log-softmax cross-entropy over logits (rows, cols) with leading dimension ld.
     * Returns the sum over rows of -log softmax(row)[target]. When dlogits is not null it receives
     * (softmax(row) - onehot(target)) * gradScale, with the same leading dimension.
     */
    double crossEntropy(float[] dlogits, int dOff, float[] logits, int lOff, int ld, int[] targets, int tOff,
                        int rows, int cols, float gradScale);
}

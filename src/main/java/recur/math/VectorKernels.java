package recur.math;

/** TEMPORARY: delegates to scalar until the SIMD bodies land (helper task). */
public final class VectorKernels implements Kernels {
    private final ScalarKernels s = new ScalarKernels();
    @Override public String name() { return "vector-temporary"; }
    @Override public void gemm(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, int m, int n, int k) { s.gemm(c, cOff, ldc, a, aOff, lda, b, bOff, ldb, m, n, k); }
    @Override public void gemmBt(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, int m, int n, int k) { s.gemmBt(c, cOff, ldc, a, aOff, lda, b, bOff, ldb, m, n, k); }
    @Override public void gemmAt(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, int m, int n, int k) { s.gemmAt(c, cOff, ldc, a, aOff, lda, b, bOff, ldb, m, n, k); }
    @Override public void gemv(float[] y, int yOff, float[] a, int aOff, int lda, float[] x, int xOff, int m, int n) { s.gemv(y, yOff, a, aOff, lda, x, xOff, m, n); }
    @Override public void axpy(float[] y, int yOff, float alpha, float[] x, int xOff, int n) { s.axpy(y, yOff, alpha, x, xOff, n); }
    @Override public float dot(float[] x, int xOff, float[] y, int yOff, int n) { return s.dot(x, xOff, y, yOff, n); }
    @Override public void scale(float[] x, int xOff, float alpha, int n) { s.scale(x, xOff, alpha, n); }
    @Override public double sumSquares(float[] x, int xOff, int n) { return s.sumSquares(x, xOff, n); }
    @Override public void addRow(float[] c, int cOff, int ldc, float[] v, int vOff, int m, int n) { s.addRow(c, cOff, ldc, v, vOff, m, n); }
    @Override public void sumRows(float[] out, int outOff, float[] a, int aOff, int lda, int m, int n) { s.sumRows(out, outOff, a, aOff, lda, m, n); }
    @Override public void sigmoid(float[] y, int yOff, float[] x, int xOff, int n) { s.sigmoid(y, yOff, x, xOff, n); }
    @Override public void tanh(float[] y, int yOff, float[] x, int xOff, int n) { s.tanh(y, yOff, x, xOff, n); }
    @Override public void relu(float[] y, int yOff, float[] x, int xOff, int n) { s.relu(y, yOff, x, xOff, n); }
    @Override public void sigmoidBackward(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff, int n) { s.sigmoidBackward(dx, dxOff, y, yOff, dy, dyOff, n); }
    @Override public void tanhBackward(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff, int n) { s.tanhBackward(dx, dxOff, y, yOff, dy, dyOff, n); }
    @Override public void reluBackward(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff, int n) { s.reluBackward(dx, dxOff, y, yOff, dy, dyOff, n); }
    @Override public double crossEntropy(float[] dlogits, int dOff, float[] logits, int lOff, int ld, int[] targets, int tOff, int rows, int cols, float gradScale) { return s.crossEntropy(dlogits, dOff, logits, lOff, ld, targets, tOff, rows, cols, gradScale); }
}

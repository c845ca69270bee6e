package recur.math;

/** Plain-loop kernels: the test oracle for {@link VectorKernels} and the {@code -Drecur.scalar} path. */
public final class ScalarKernels implements Kernels {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void gemm(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            for (int p = 0; p < k; p++) {
                float aip = a[aOff + i * lda + p];
                int bp = bOff + p * ldb;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += aip * b[bp + j];
                }
            }
        }
    }

    @Override
    public void gemmBt(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                c[cOff + i * ldc + j] += dot(a, aOff + i * lda, b, bOff + j * ldb, k);
            }
        }
    }

    @Override
    public void gemmAt(float[] c, int cOff, int ldc, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       int m, int n, int k) {
        for (int p = 0; p < k; p++) {
            int ap = aOff + p * lda;
            int bp = bOff + p * ldb;
            for (int i = 0; i < m; i++) {
                float api = a[ap + i];
                int ci = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += api * b[bp + j];
                }
            }
        }
    }

    @Override
    public void gemv(float[] y, int yOff, float[] a, int aOff, int lda, float[] x, int xOff, int m, int n) {
        for (int i = 0; i < m; i++) {
            y[yOff + i] += dot(a, aOff + i * lda, x, xOff, n);
        }
    }

    @Override
    public void axpy(float[] y, int yOff, float alpha, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    public float dot(float[] x, int xOff, float[] y, int yOff, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) {
            s += x[xOff + i] * y[yOff + i];
        }
        return s;
    }

    @Override
    public void scale(float[] x, int xOff, float alpha, int n) {
        for (int i = 0; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }

    @Override
    public double sumSquares(float[] x, int xOff, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i];
            s += v * v;
        }
        return s;
    }

    @Override
    public int firstNonFinite(float[] x, int xOff, int n) {
        for (int i = xOff; i < xOff + n; i++) {
            if (!Float.isFinite(x[i])) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void addRow(float[] c, int cOff, int ldc, float[] v, int vOff, int m, int n) {
        for (int i = 0; i < m; i++) {
            axpy(c, cOff + i * ldc, 1f, v, vOff, n);
        }
    }

    @Override
    public void sumRows(float[] out, int outOff, float[] a, int aOff, int lda, int m, int n) {
        for (int i = 0; i < m; i++) {
            axpy(out, outOff, 1f, a, aOff + i * lda, n);
        }
    }

    @Override
    public void sigmoid(float[] y, int yOff, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) (1.0 / (1.0 + Math.exp(-x[xOff + i])));
        }
    }

    @Override
    public void tanh(float[] y, int yOff, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) Math.tanh(x[xOff + i]);
        }
    }

    @Override
    public void relu(float[] y, int yOff, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = Math.max(0f, x[xOff + i]);
        }
    }

    @Override
    public void sigmoidBackward(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff, int n) {
        for (int i = 0; i < n; i++) {
            float s = y[yOff + i];
            dx[dxOff + i] = dy[dyOff + i] * s * (1f - s);
        }
    }

    @Override
    public void tanhBackward(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff, int n) {
        for (int i = 0; i < n; i++) {
            float t = y[yOff + i];
            dx[dxOff + i] = dy[dyOff + i] * (1f - t * t);
        }
    }

    @Override
    public void lstmBackward(float[] dG, int dOff, float[] dcNext, float[] dhNext, int carryOff, float[] gates,
                             int gOff, float[] cPrev, int cOff, float[] tc, int tcOff, float[] dhOut, int dhOff,
                             int hidden) {
        lstmBackwardUnits(dG, dOff, dcNext, dhNext, carryOff, gates, gOff, cPrev, cOff, tc, tcOff, dhOut, dhOff,
                hidden, 0);
    }

    /** {@link #lstmBackward} for units {@code from..hidden-1} (also the vector kernel's tail). */
    static void lstmBackwardUnits(float[] dG, int dOff, float[] dcNext, float[] dhNext, int carryOff, float[] gates,
                                  int gOff, float[] cPrev, int cOff, float[] tc, int tcOff, float[] dhOut, int dhOff,
                                  int hidden, int from) {
        final int h = hidden;
        for (int j = from; j < h; j++) {
            float i = gates[gOff + j];
            float f = gates[gOff + h + j];
            float g = gates[gOff + 2 * h + j];
            float o = gates[gOff + 3 * h + j];
            float t = tc[tcOff + j];
            float dh = dhOut[dhOff + j] + dhNext[carryOff + j];
            float dc = dcNext[carryOff + j] + dh * o * (1f - t * t);
            dG[dOff + j] = dc * g * i * (1f - i);
            dG[dOff + h + j] = dc * cPrev[cOff + j] * f * (1f - f);
            dG[dOff + 2 * h + j] = dc * i * (1f - g * g);
            dG[dOff + 3 * h + j] = dh * t * o * (1f - o);
            dcNext[carryOff + j] = dc * f;
        }
    }

    @Override
    public void gruBackward(float[] dGx, float[] dGh, int dOff, float[] dhNext, int carryOff, float[] gates, int gOff,
                            float[] hn, int hnOff, float[] hPrev, int hOff, float[] dhOut, int dhOff, int hidden) {
        gruBackwardUnits(dGx, dGh, dOff, dhNext, carryOff, gates, gOff, hn, hnOff, hPrev, hOff, dhOut, dhOff, hidden, 0);
    }

    /** {@link #gruBackward} for units {@code from..hidden-1} (also the vector kernel's tail). */
    static void gruBackwardUnits(float[] dGx, float[] dGh, int dOff, float[] dhNext, int carryOff, float[] gates,
                                 int gOff, float[] hn, int hnOff, float[] hPrev, int hOff, float[] dhOut, int dhOff,
                                 int hidden, int from) {
        final int h = hidden;
        for (int j = from; j < h; j++) {
            float r = gates[gOff + j];
            float z = gates[gOff + h + j];
            float n = gates[gOff + 2 * h + j];
            float dh = dhOut[dhOff + j] + dhNext[carryOff + j];
            float dn = dh * (1f - z) * (1f - n * n);
            float dz = dh * (hPrev[hOff + j] - n) * z * (1f - z);
            float dr = dn * hn[hnOff + j] * r * (1f - r);
            dGx[dOff + j] = dr;
            dGx[dOff + h + j] = dz;
            dGx[dOff + 2 * h + j] = dn;
            dGh[dOff + j] = dr;
            dGh[dOff + h + j] = dz;
            dGh[dOff + 2 * h + j] = dn * r;
            dhNext[carryOff + j] = dh * z;
        }
    }

    @Override
    public void reluBackward(float[] dx, int dxOff, float[] y, int yOff, float[] dy, int dyOff, int n) {
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = y[yOff + i] > 0f ? dy[dyOff + i] : 0f;
        }
    }

    @Override
    public double crossEntropy(float[] dlogits, int dOff, float[] logits, int lOff, int ld, int[] targets, int tOff,
                               int rows, int cols, float gradScale) {
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            int row = lOff + r * ld;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, logits[row + j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp(logits[row + j] - max);
            }
            double logSum = max + Math.log(sum);
            int target = targets[tOff + r];
            loss += logSum - logits[row + target];
            if (dlogits != null) {
                int drow = dOff + r * ld;
                for (int j = 0; j < cols; j++) {
                    float p = (float) Math.exp(logits[row + j] - logSum);
                    dlogits[drow + j] = (p - (j == target ? 1f : 0f)) * gradScale;
                }
            }
        }
        return loss;
    }
}

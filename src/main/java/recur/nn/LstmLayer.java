package recur.nn;

import recur.math.Kernels;
import recur.model.ModelSpec;
import recur.model.ParamLayout;

/**
 * LSTM layer with PyTorch's equations and gate order (i, f, g, o):
 * i = sigma(.), f = sigma(.), g = tanh(.), o = sigma(.), c_t = f*c_{t-1} + i*g, h_t = o*tanh(c_t),
 * each gate's pre-activation W_i* x + b_i* + W_h* h_{t-1} + b_h* (Hochreiter and Schmidhuber 1997).
 */
final class LstmLayer extends RecurrentLayer {
    private final float[] biasSum; // (GH)       b_ih + b_hh
    private final float[] gates;   // (T, B, 4H) activated i, f, g, o       (read by backward)
    private final float[] c;       // (T+1, B, H) cell states, block 0 initial (read by backward)
    private final float[] tc;      // (T, B, H) tanh(c_t)                    (read by backward)
    private final float[] dG;      // (T, B, 4H) gradient w.r.t. gate pre-activations
    private final float[] dcNext;  // (B, H) cell-state gradient carry

    LstmLayer(Kernels k, ModelSpec spec, ParamLayout layout, int layer, int batch, int maxSteps) {
        super(k, spec, layout, layer, batch, maxSteps);
        int rows = batch * maxSteps;
        biasSum = new float[gh];
        gates = new float[rows * gh];
        c = new float[(rows + batch) * hidden];
        tc = new float[rows * hidden];
        dG = new float[rows * gh];
        dcNext = new float[batch * hidden];
    }

    @Override
    void loadWeights(float[] params) {
        super.loadWeights(params);
        for (int j = 0; j < gh; j++) {
            biasSum[j] = params[bIh + j] + params[bHh + j];
        }
    }

    @Override
    void setInitialCell(int b, float[] src, int srcOff) {
        System.arraycopy(src, srcOff, c, b * hidden, hidden);
    }

    @Override
    void getFinalCell(int b, float[] dst, int dstOff, int steps) {
        System.arraycopy(c, hBlock(steps) + b * hidden, dst, dstOff, hidden);
    }

    @Override
    void addInitialCellGradient(int b, float[] dst, int dstOff) {
        k.axpy(dst, dstOff, 1f, dcNext, b * hidden, hidden);
    }

    @Override
    void forward(float[] params, float[] x, int xOff, int steps) {
        final int H = hidden;
        inputProjection(gates, x, xOff, steps, biasSum, 0);
        for (int t = 0; t < steps; t++) {
            int g0 = t * batch * gh;
            inputStep(gates, t);
            k.gemm(gates, g0, gh, h, hBlock(t), H, wHhT, 0, gh, batch, gh, H);
            for (int b = 0; b < batch; b++) {
                int row = g0 + b * gh;
                k.sigmoid(gates, row, gates, row, 2 * H);
                k.tanh(gates, row + 2 * H, gates, row + 2 * H, H);
                k.sigmoid(gates, row + 3 * H, gates, row + 3 * H, H);
                int prev = hBlock(t) + b * H;
                int cur = hBlock(t + 1) + b * H;
                int tcRow = (t * batch + b) * H;
                for (int j = 0; j < H; j++) {
                    c[cur + j] = gates[row + H + j] * c[prev + j] + gates[row + j] * gates[row + 2 * H + j];
                }
                k.tanh(tc, tcRow, c, cur, H);
                for (int j = 0; j < H; j++) {
                    h[cur + j] = gates[row + 3 * H + j] * tc[tcRow + j];
                }
            }
        }
    }

    @Override
    void backward(float[] params, float[] grad, float[] x, int xOff, float[] dx, int steps) {
        final int H = hidden;
        java.util.Arrays.fill(dhNext, 0f);
        java.util.Arrays.fill(dcNext, 0f);
        beginBackward();
        for (int t = steps - 1; t >= 0; t--) {
            for (int b = 0; b < batch; b++) {
                int hr = (t * batch + b) * H;
                k.lstmBackward(dG, (t * batch + b) * gh, dcNext, dhNext, b * H, gates, (t * batch + b) * gh,
                        c, hBlock(t) + b * H, tc, hr, dh, hr, H);
            }
            inputGradientStep(dG, t);
            java.util.Arrays.fill(dhNext, 0f);
            k.gemm(dhNext, 0, H, dG, t * batch * gh, gh, params, wHh, H, batch, H, gh);
        }
        weightGradients(grad, x, xOff, dG, dG, steps);
        if (dx != null) {
            inputGradient(dx, params, dG, steps);
        }
    }
}

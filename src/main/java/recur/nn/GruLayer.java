package recur.nn;

import recur.math.Kernels;
import recur.model.ModelSpec;
import recur.model.ParamLayout;

/**
 * GRU layer with PyTorch's equations and gate order (r, z, n), the reset gate applied to the
 * hidden projection including its bias (Cho et al. 2014, as cuDNN and PyTorch do it):
 * r = sigma(W_ir x + b_ir + W_hr h + b_hr), z = sigma(W_iz x + b_iz + W_hz h + b_hz),
 * n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h_t = (1 - z) * n + z * h_{t-1}.
 */
final class GruLayer extends RecurrentLayer {
    private final float[] gates;  // (T, B, 3H) input projections, then activated r, z, n (read by backward)
    private final float[] hn;     // (T, B, H) W_hn h_{t-1} + b_hn                        (read by backward)
    private final float[] stepHh; // (B, 3H) W_hh h_{t-1} + b_hh for the current step
    private final float[] dGx;    // (T, B, 3H) gradient w.r.t. the input-side pre-activations
    private final float[] dGh;    // (T, B, 3H) gradient w.r.t. the hidden-side pre-activations

    GruLayer(Kernels k, ModelSpec spec, ParamLayout layout, int layer, int batch, int maxSteps) {
        super(k, spec, layout, layer, batch, maxSteps);
        int rows = batch * maxSteps;
        gates = new float[rows * gh];
        hn = new float[rows * hidden];
        stepHh = new float[batch * gh];
        dGx = new float[rows * gh];
        dGh = new float[rows * gh];
    }

    @Override
    void forward(float[] params, float[] x, int xOff, int steps) {
        final int H = hidden;
        inputProjection(gates, x, xOff, steps, params, bIh);
        for (int t = 0; t < steps; t++) {
            inputStep(gates, t);
            for (int b = 0; b < batch; b++) {
                System.arraycopy(params, bHh, stepHh, b * gh, gh);
            }
            k.gemm(stepHh, 0, gh, h, hBlock(t), H, wHhT, 0, gh, batch, gh, H);
            for (int b = 0; b < batch; b++) {
                int row = (t * batch + b) * gh;
                int sh = b * gh;
                int hr = (t * batch + b) * H;
                for (int j = 0; j < 2 * H; j++) {
                    gates[row + j] += stepHh[sh + j];
                }
                k.sigmoid(gates, row, gates, row, 2 * H);
                for (int j = 0; j < H; j++) {
                    float hnj = stepHh[sh + 2 * H + j];
                    hn[hr + j] = hnj;
                    gates[row + 2 * H + j] += gates[row + j] * hnj;
                }
                k.tanh(gates, row + 2 * H, gates, row + 2 * H, H);
                int prev = hBlock(t) + b * H;
                int cur = hBlock(t + 1) + b * H;
                for (int j = 0; j < H; j++) {
                    float z = gates[row + H + j];
                    h[cur + j] = (1f - z) * gates[row + 2 * H + j] + z * h[prev + j];
                }
            }
        }
    }

    @Override
    void backward(float[] params, float[] grad, float[] x, int xOff, float[] dx, int steps) {
        final int H = hidden;
        java.util.Arrays.fill(dhNext, 0f);
        beginBackward();
        for (int t = steps - 1; t >= 0; t--) {
            for (int b = 0; b < batch; b++) {
                int hr = (t * batch + b) * H;
                k.gruBackward(dGx, dGh, (t * batch + b) * gh, dhNext, b * H, gates, (t * batch + b) * gh, hn, hr,
                        h, hBlock(t) + b * H, dh, hr, H);
            }
            inputGradientStep(dGx, t);
            k.gemm(dhNext, 0, H, dGh, t * batch * gh, gh, params, wHh, H, batch, H, gh);
        }
        weightGradients(grad, x, xOff, dGx, dGh, steps);
        if (dx != null) {
            inputGradient(dx, params, dGx, steps);
        }
    }
}

package recur.nn;

import recur.math.Kernels;
import recur.model.CellType;
import recur.model.ModelSpec;
import recur.model.ParamLayout;

/** Elman RNN layer: h_t = act(W_ih x + b_ih + W_hh h_{t-1} + b_hh), act = tanh or relu (PyTorch nn.RNN). */
final class SimpleRnnLayer extends RecurrentLayer {
    private final boolean relu;
    private final float[] biasSum; // (H) b_ih + b_hh
    private final float[] pre;     // (T, B, H) pre-activations, then gradient w.r.t. them

    SimpleRnnLayer(Kernels k, ModelSpec spec, ParamLayout layout, int layer, int batch, int maxSteps) {
        super(k, spec, layout, layer, batch, maxSteps);
        this.relu = spec.cell() == CellType.RNN_RELU;
        biasSum = new float[gh];
        pre = new float[batch * maxSteps * gh];
    }

    @Override
    void loadWeights(float[] params) {
        super.loadWeights(params);
        for (int j = 0; j < gh; j++) {
            biasSum[j] = params[bIh + j] + params[bHh + j];
        }
    }

    @Override
    void forward(float[] params, float[] x, int xOff, int steps) {
        final int H = hidden;
        inputProjection(pre, x, xOff, steps, biasSum, 0);
        for (int t = 0; t < steps; t++) {
            int p0 = t * batch * H;
            inputStep(pre, t);
            k.gemm(pre, p0, H, h, hBlock(t), H, wHhT, 0, H, batch, H, H);
            if (relu) {
                k.relu(h, hBlock(t + 1), pre, p0, batch * H);
            } else {
                k.tanh(h, hBlock(t + 1), pre, p0, batch * H);
            }
        }
    }

    @Override
    void backward(float[] params, float[] grad, float[] x, int xOff, float[] dx, int steps) {
        final int H = hidden;
        java.util.Arrays.fill(dhNext, 0f);
        float[] dG = pre; // the pre-activations are not needed any more: reuse the buffer
        beginBackward();
        for (int t = steps - 1; t >= 0; t--) {
            int p0 = t * batch * H;
            k.axpy(dhNext, 0, 1f, dh, p0, batch * H);
            if (relu) {
                k.reluBackward(dG, p0, h, hBlock(t + 1), dhNext, 0, batch * H);
            } else {
                k.tanhBackward(dG, p0, h, hBlock(t + 1), dhNext, 0, batch * H);
            }
            inputGradientStep(dG, t);
            java.util.Arrays.fill(dhNext, 0f);
            k.gemm(dhNext, 0, H, dG, p0, H, params, wHh, H, batch, H, H);
        }
        weightGradients(grad, x, xOff, dG, dG, steps);
        if (dx != null) {
            inputGradient(dx, params, dG, steps);
        }
    }
}

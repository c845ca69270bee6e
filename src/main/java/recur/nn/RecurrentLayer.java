package recur.nn;

import recur.math.Kernels;
import recur.model.ModelSpec;
import recur.model.ParamLayout;

/**
 * One recurrent layer over a window, batched for speed: the input projection of the whole window is
 * one big multiply, the recurrent multiply runs per step, and the weight gradients are accumulated
 * once per window with big multiplies. All workspaces are allocated once, here.
 *
 * <p>Legend: B batch (streams), T steps in the window, H hidden, G gates, GH = G*H, I input width.
 * Time-major rows: element (t, b) is row t*B + b.
 */
abstract class RecurrentLayer {
    final Kernels k;
    final int batch;
    final int maxSteps;
    final int hidden;
    final int gh;
    final int in;
    /** Offsets of this layer's tensors in the flat parameter (and gradient) buffer. */
    final int wIh;
    final int wHh;
    final int bIh;
    final int bHh;

    final float[] wIhT;   // (I, GH)  W_ih transposed, refreshed by loadWeights
    final float[] wHhT;   // (H, GH)  W_hh transposed
    final float[] h;      // (T+1, B, H) block 0 = initial state, block t+1 = h_t
    final float[] dh;     // (T, B, H) gradient of the loss w.r.t. this layer's outputs, set from above
    final float[] dhNext; // (B, H) recurrent gradient carry; after backward: d loss / d initial h
    /** Set by the network for a window whose token input is folded into this layer's input projection. */
    TokenFold fold;

    RecurrentLayer(Kernels k, ModelSpec spec, ParamLayout layout, int layer, int batch, int maxSteps) {
        this.k = k;
        this.batch = batch;
        this.maxSteps = maxSteps;
        this.hidden = spec.hidden();
        this.gh = spec.gateRows();
        this.in = spec.inputWidth(layer);
        this.wIh = layout.weightIh[layer];
        this.wHh = layout.weightHh[layer];
        this.bIh = layout.biasIh[layer];
        this.bHh = layout.biasHh[layer];
        int rows = batch * maxSteps;
        wIhT = new float[in * gh];
        wHhT = new float[hidden * gh];
        h = new float[(rows + batch) * hidden];
        dh = new float[rows * hidden];
        dhNext = new float[batch * hidden];
    }

    /** Refreshes the transposed weight copies from the flat parameters (once per window). */
    void loadWeights(float[] params) {
        transpose(wIhT, params, wIh, gh, in);
        transpose(wHhT, params, wHh, gh, hidden);
    }

    /** Offset of h_t's block for t = 0..T (block 0 holds the initial state). */
    final int hBlock(int t) {
        return t * batch * hidden;
    }

    /** Forward over T steps from x (T, B, I) at xOff; block 0 of h must hold the initial state. */
    abstract void forward(float[] params, float[] x, int xOff, int steps);

    /**
     * Backward over the window after forward: reads dh, accumulates this layer's weight and bias
     * gradients into grad, writes d loss / d x into dx (T, B, I) when dx is not null, and leaves
     * d loss / d initial state in dhNext (and the cell's own carry).
     */
    abstract void backward(float[] params, float[] grad, float[] x, int xOff, float[] dx, int steps);

    /** Copies the initial state of stream b (cell state for LSTM) into block 0; h from src. */
    void setInitialCell(int b, float[] src, int srcOff) {
        // cells without a cell state have nothing to set
    }

    /** Writes the cell state at block T of stream b into dst (LSTM only). */
    void getFinalCell(int b, float[] dst, int dstOff, int steps) {
    }

    /** d loss / d initial cell state of stream b, added into dst (LSTM only). */
    void addInitialCellGradient(int b, float[] dst, int dstOff) {
    }

    /** pre (rows, GH) = bias row(s), then += x (rows, I) * W_ih^T. */
    final void inputProjection(float[] pre, float[] x, int xOff, int steps, float[] bias, int biasOff) {
        if (fold != null) { // the rows come per step: inputStep
            fold.project(bias, biasOff, wIhT);
            return;
        }
        int rows = steps * batch;
        for (int r = 0; r < rows; r++) {
            System.arraycopy(bias, biasOff, pre, r * gh, gh);
        }
        k.gemm(pre, 0, gh, x, xOff, in, wIhT, 0, gh, rows, gh, in);
    }

    /** Step t's rows of the input projection, when folded (otherwise inputProjection wrote them all). */
    final void inputStep(float[] pre, int t) {
        if (fold != null) {
            fold.gatherStep(pre, t, batch);
        }
    }

    /** Before backward's steps: a folded layer sums its input-side gate gradients by token as it goes. */
    final void beginBackward() {
        if (fold != null) {
            fold.beginBackward();
        }
    }

    /** After backward's step t has written its rows of dGx. */
    final void inputGradientStep(float[] dGx, int t) {
        if (fold != null) {
            fold.sumStep(dGx, t, batch);
        }
    }

    /** Accumulates dW_ih += dGx^T x, dW_hh += dGh^T h_{t-1}, and the bias gradients. */
    final void weightGradients(float[] grad, float[] x, int xOff, float[] dGx, float[] dGh, int steps) {
        int rows = steps * batch;
        if (fold != null) {
            fold.weightGradients(grad, wIh, bIh);
        } else {
            k.gemmAt(grad, wIh, in, dGx, 0, gh, x, xOff, in, gh, in, rows);
            k.sumRows(grad, bIh, dGx, 0, gh, rows, gh);
        }
        k.gemmAt(grad, wHh, hidden, dGh, 0, gh, h, 0, hidden, gh, hidden, rows);
        if (dGh == dGx) { // LSTM, RNN: both biases get the same gradient (slots are zero per window)
            System.arraycopy(grad, bIh, grad, bHh, gh);
        } else {
            k.sumRows(grad, bHh, dGh, 0, gh, rows, gh);
        }
    }

    /** dx (rows, I) = dGx (rows, GH) * W_ih. */
    final void inputGradient(float[] dx, float[] params, float[] dGx, int steps) {
        int rows = steps * batch;
        java.util.Arrays.fill(dx, 0, rows * in, 0f);
        k.gemm(dx, 0, in, dGx, 0, gh, params, wIh, in, rows, in, gh);
    }

    /**
     * dst (cols, rows) = src (rows, cols) transposed, in 64 x 64 tiles, eight source rows at a time:
     * each pass over a tile's columns reads eight rows and writes eight adjacent floats of each
     * destination row. A plain double loop spent ~3% of an LSTM step here, 32 x 32 tiles one row at a
     * time ~2% (0.90 ms for the 1024 x 256 W_hh at charlm; this: 0.14-0.27 ms).
     */
    static void transpose(float[] dst, float[] src, int srcOff, int rows, int cols) {
        final int tile = 64;
        for (int r0 = 0; r0 < rows; r0 += tile) {
            int r1 = Math.min(rows, r0 + tile);
            for (int c0 = 0; c0 < cols; c0 += tile) {
                int c1 = Math.min(cols, c0 + tile);
                int r = r0;
                for (; r + 8 <= r1; r += 8) {
                    int s = srcOff + r * cols;
                    for (int c = c0; c < c1; c++) {
                        int d = c * rows + r;
                        dst[d] = src[s + c];
                        dst[d + 1] = src[s + cols + c];
                        dst[d + 2] = src[s + 2 * cols + c];
                        dst[d + 3] = src[s + 3 * cols + c];
                        dst[d + 4] = src[s + 4 * cols + c];
                        dst[d + 5] = src[s + 5 * cols + c];
                        dst[d + 6] = src[s + 6 * cols + c];
                        dst[d + 7] = src[s + 7 * cols + c];
                    }
                }
                for (; r < r1; r++) {
                    int s = srcOff + r * cols;
                    for (int c = c0; c < c1; c++) {
                        dst[c * rows + r] = src[s + c];
                    }
                }
            }
        }
    }
}

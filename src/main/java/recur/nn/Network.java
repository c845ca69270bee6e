package recur.nn;

import java.util.Arrays;
import recur.math.Kernels;
import recur.model.CellType;
import recur.model.ModelSpec;
import recur.model.ParamLayout;
import recur.model.Task;

/**
 * The whole model's compute for B streams and windows of up to k steps: input (token embedding or
 * real vectors) -> L stacked recurrent layers -> linear head -> loss. Parameters and gradients are
 * flat buffers laid out by {@link ParamLayout}; every workspace is allocated here, once, so a
 * training step allocates nothing.
 *
 * <p>Legend: B batch, T steps, H hidden, E embedding, I input width, O outputs, L layers.
 */
public final class Network {
    /**
     * Slack after the head's workspaces: with O not a multiple of the vector length, the last row's
     * masked vector then stays inside the array (and on the kernels' fast path).
     */
    private static final int PAD = 64;

    /**
     * Whether token models fold the embedding into the first input projection ({@link TokenFold});
     * {@code -Drecur.fold=false} turns it off (to compare the two paths).
     */
    private static final boolean FOLD_TOKENS = !"false".equals(System.getProperty("recur.fold"));

    private final ModelSpec spec;
    private final ParamLayout layout;
    private final Kernels k;
    private final int batch;
    private final int maxSteps;
    private final RecurrentLayer[] layers;

    private final float[] x0;        // (T, B, E) embedded tokens (token input only)
    private final float[] dx0;       // (T, B, E) gradient w.r.t. the embedded tokens
    private final float[] headT;     // (H, O) head weight transposed
    private final float[] outputs;   // (T, B, O) logits or predictions; classify: (B, O)
    private final float[] dOutputs;  // same shape as outputs
    private final boolean[] fromStart; // (B) streams whose window began at the initial state
    private final int[] classifyTargets; // (B) labels copied for the loss kernel
    private final float[] zeros;         // (H) the zero initial state
    private final TokenFold fold;        // token input: the embedding folded into layer 0 (null otherwise)

    public Network(ModelSpec spec, int batch, int maxSteps, Kernels k) {
        this(spec, batch, maxSteps, k, FOLD_TOKENS);
    }

    /** With foldTokens false, token models never fold (tests compare the two paths). */
    Network(ModelSpec spec, int batch, int maxSteps, Kernels k, boolean foldTokens) {
        this.spec = spec;
        this.layout = new ParamLayout(spec);
        this.k = k;
        this.batch = batch;
        this.maxSteps = maxSteps;
        this.layers = new RecurrentLayer[spec.layers()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = switch (spec.cell()) {
                case LSTM -> new LstmLayer(k, spec, layout, l, batch, maxSteps);
                case GRU -> new GruLayer(k, spec, layout, l, batch, maxSteps);
                case RNN_TANH, RNN_RELU -> new SimpleRnnLayer(k, spec, layout, l, batch, maxSteps);
            };
        }
        int rows = Math.multiplyExact(batch, maxSteps);
        int e = spec.tokenInput() ? spec.embedding() : 0;
        x0 = new float[Math.multiplyExact(rows, e)];
        dx0 = new float[x0.length];
        headT = new float[spec.hidden() * spec.output() + PAD];
        int outRows = spec.task() == Task.CLASSIFY ? batch : rows;
        outputs = new float[Math.addExact(Math.multiplyExact(outRows, spec.output()), PAD)];
        dOutputs = new float[outputs.length];
        fromStart = new boolean[batch];
        classifyTargets = new int[batch];
        zeros = new float[spec.hidden()];
        fold = spec.tokenInput() && foldTokens
                ? new TokenFold(k, spec.vocabSize(), spec.embedding(), spec.gateRows(), rows) : null;
    }

    public ModelSpec spec() {
        return spec;
    }

    public ParamLayout layout() {
        return layout;
    }

    public int batch() {
        return batch;
    }

    public int maxSteps() {
        return maxSteps;
    }

    /** Whether the last window's token input was folded into the first input projection. */
    boolean folded() {
        return layers[0].fold != null;
    }

    /** New window and state buffers shaped for this network. */
    public Window newWindow() {
        return new Window(spec, batch, maxSteps);
    }

    public RecurrentState newState() {
        return new RecurrentState(spec, batch);
    }

    /**
     * The outputs of the last forward pass: logits (lm, classify) or predictions (regression), row-major
     * with O columns; rows are time-major (t*B + b), or one per stream for classify.
     */
    public float[] outputs() {
        return outputs;
    }

    // ---------------------------------------------------------------- forward

    /**
     * Forward pass over the window from the carried state; fills {@link #outputs()} and moves the
     * state to the end of the window (no loss).
     */
    public void predict(float[] params, Window w, RecurrentState state) {
        checkShape(w, state);
        int steps = w.steps;
        int rows = steps * batch;
        int hid = spec.hidden();
        for (RecurrentLayer layer : layers) {
            layer.loadWeights(params);
        }
        // Input to layer 0.
        float[] x = w.inputs;
        boolean folded = false;
        if (spec.tokenInput()) {
            int e = spec.embedding();
            int v = spec.vocabSize();
            for (int r = 0; r < rows; r++) {
                int tok = w.tokens[r];
                if (tok < 0 || tok >= v) {
                    throw new IllegalArgumentException("token id " + tok + " outside the vocabulary of " + v);
                }
            }
            folded = fold != null && fold.index(w.tokens, rows, params, layout.embed);
            if (!folded) {
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(params, layout.embed + w.tokens[r] * e, x0, r * e, e);
                }
            }
            x = x0;
        }
        layers[0].fold = folded ? fold : null;
        // Initial state: carried, or the model's initial state for streams that start over.
        for (int b = 0; b < batch; b++) {
            fromStart[b] = state.atStart[b];
        }
        for (int l = 0; l < layers.length; l++) {
            RecurrentLayer layer = layers[l];
            for (int b = 0; b < batch; b++) {
                if (fromStart[b]) {
                    initialState(params, layer, l, b);
                } else {
                    System.arraycopy(state.h[l], b * hid, layer.h, b * hid, hid);
                    layer.setInitialCell(b, state.c[l], b * hid);
                }
            }
        }
        // Layers, each reading the previous layer's outputs h_1..h_T.
        for (int l = 0; l < layers.length; l++) {
            if (l == 0) {
                layers[0].forward(params, x, 0, steps);
            } else {
                layers[l].forward(params, layers[l - 1].h, layers[l - 1].hBlock(1), steps);
            }
        }
        head(params, steps);
        // Carry the final state (detached) to the next window.
        for (int l = 0; l < layers.length; l++) {
            RecurrentLayer layer = layers[l];
            System.arraycopy(layer.h, layer.hBlock(steps), state.h[l], 0, batch * hid);
            for (int b = 0; b < batch; b++) {
                layer.getFinalCell(b, state.c[l], b * hid, steps);
            }
        }
        Arrays.fill(state.atStart, false);
    }

    private void initialState(float[] params, RecurrentLayer layer, int l, int b) {
        int hid = spec.hidden();
        if (spec.learnedH0()) {
            System.arraycopy(params, layout.h0 + l * hid, layer.h, b * hid, hid);
            if (spec.cell() == CellType.LSTM) {
                layer.setInitialCell(b, params, layout.c0 + l * hid);
            }
        } else {
            Arrays.fill(layer.h, b * hid, (b + 1) * hid, 0f);
            if (spec.cell() == CellType.LSTM) {
                layer.setInitialCell(b, zeros, 0);
            }
        }
    }

    private void head(float[] params, int steps) {
        int hid = spec.hidden();
        int o = spec.output();
        RecurrentLayer top = layers[layers.length - 1];
        RecurrentLayer.transpose(headT, params, layout.headWeight, o, hid);
        int rows = spec.task() == Task.CLASSIFY ? batch : steps * batch;
        int from = spec.task() == Task.CLASSIFY ? top.hBlock(steps) : top.hBlock(1);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(params, layout.headBias, outputs, r * o, o);
        }
        k.gemm(outputs, 0, o, top.h, from, hid, headT, 0, o, rows, o, hid);
    }

    /** Forward pass and mean loss of the window (no gradient). */
    public double loss(float[] params, Window w, RecurrentState state) {
        predict(params, w, state);
        return lossAndOutputGradient(w, false) / w.lossCount(spec);
    }

    /** Sum (not mean) of the window's losses, for evaluation over many windows. */
    public double lossSum(float[] params, Window w, RecurrentState state) {
        predict(params, w, state);
        return lossAndOutputGradient(w, false);
    }

    /** Loss sum; with gradient, fills dOutputs with d(mean loss)/d outputs. */
    private double lossAndOutputGradient(Window w, boolean gradient) {
        int o = spec.output();
        int rows = w.rows();
        float scale = (float) (1.0 / w.lossCount(spec));
        float[] d = gradient ? dOutputs : null;
        return switch (spec.task()) {
            case LM -> k.crossEntropy(d, 0, outputs, 0, o, w.targets, 0, rows, o, scale);
            case CLASSIFY -> {
                System.arraycopy(w.labels, 0, classifyTargets, 0, batch);
                for (int b = 0; b < batch; b++) {
                    if (classifyTargets[b] < 0 || classifyTargets[b] >= o) {
                        throw new IllegalArgumentException("label " + classifyTargets[b] + " outside 0.." + (o - 1));
                    }
                }
                yield k.crossEntropy(d, 0, outputs, 0, o, classifyTargets, 0, batch, o, scale);
            }
            case REGRESSION -> {
                double sum = 0;
                int n = rows * o;
                for (int i = 0; i < n; i++) {
                    float diff = outputs[i] - w.targetValues[i];
                    sum += (double) diff * diff;
                    if (gradient) {
                        dOutputs[i] = 2f * diff * scale;
                    }
                }
                yield sum;
            }
        };
    }

    // ---------------------------------------------------------------- backward

    /**
     * Gradient of the window's mean loss: forward from the carried state, then backward through the
     * window only (the state entering it is treated as a constant). grad is overwritten; returns the
     * mean loss.
     */
    public double forwardBackward(float[] params, float[] grad, Window w, RecurrentState state) {
        predict(params, w, state);
        double lossSum = lossAndOutputGradient(w, true);
        Arrays.fill(grad, 0, layout.size(), 0f);
        int steps = w.steps;
        int hid = spec.hidden();
        int o = spec.output();
        RecurrentLayer top = layers[layers.length - 1];
        // Head: dW_head += dOut^T h, db_head += sum dOut, dh_top = dOut W_head.
        Arrays.fill(top.dh, 0, steps * batch * hid, 0f);
        if (spec.task() == Task.CLASSIFY) {
            k.gemmAt(grad, layout.headWeight, hid, dOutputs, 0, o, top.h, top.hBlock(steps), hid, o, hid, batch);
            k.sumRows(grad, layout.headBias, dOutputs, 0, o, batch, o);
            k.gemm(top.dh, (steps - 1) * batch * hid, hid, dOutputs, 0, o, params, layout.headWeight, hid, batch, hid, o);
        } else {
            int rows = steps * batch;
            k.gemmAt(grad, layout.headWeight, hid, dOutputs, 0, o, top.h, top.hBlock(1), hid, o, hid, rows);
            k.sumRows(grad, layout.headBias, dOutputs, 0, o, rows, o);
            k.gemm(top.dh, 0, hid, dOutputs, 0, o, params, layout.headWeight, hid, rows, hid, o);
        }
        // Layers top-down; each writes the gradient w.r.t. its input into the layer below's dh.
        for (int l = layers.length - 1; l >= 0; l--) {
            RecurrentLayer layer = layers[l];
            if (l > 0) {
                RecurrentLayer below = layers[l - 1];
                layer.backward(params, grad, below.h, below.hBlock(1), below.dh, steps);
            } else if (folded()) {
                layer.backward(params, grad, null, 0, null, steps);
                fold.embeddingGradient(grad, layout.embed, params, layout.weightIh[0]);
            } else if (spec.tokenInput()) {
                layer.backward(params, grad, x0, 0, dx0, steps);
            } else {
                layer.backward(params, grad, w.inputs, 0, null, steps);
            }
        }
        if (spec.tokenInput() && !folded()) {
            int e = spec.embedding();
            for (int r = 0; r < steps * batch; r++) {
                k.axpy(grad, layout.embed + w.tokens[r] * e, 1f, dx0, r * e, e);
            }
        }
        if (spec.learnedH0()) {
            for (int l = 0; l < layers.length; l++) {
                for (int b = 0; b < batch; b++) {
                    if (fromStart[b]) {
                        k.axpy(grad, layout.h0 + l * hid, 1f, layers[l].dhNext, b * hid, hid);
                        if (spec.cell() == CellType.LSTM) {
                            layers[l].addInitialCellGradient(b, grad, layout.c0 + l * hid);
                        }
                    }
                }
            }
        }
        return lossSum / w.lossCount(spec);
    }

    private void checkShape(Window w, RecurrentState state) {
        if (w.batch != batch || state.batch != batch) {
            throw new IllegalArgumentException("window/state batch " + w.batch + "/" + state.batch
                    + " does not match the network's " + batch);
        }
        if (w.steps < 1 || w.steps > maxSteps) {
            throw new IllegalArgumentException("window of " + w.steps + " steps; this network takes 1.." + maxSteps);
        }
    }
}

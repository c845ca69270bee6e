package recur.nn;

import recur.model.ModelSpec;

/**
 * One truncated-BPTT window for B parallel streams, time-major: element (t, b) lives at row t*B + b.
 * Buffers are sized once for the longest window; {@link #steps} says how many steps this one has
 * (the last window of a stream may be shorter than k: it is processed, never dropped).
 */
public final class Window {
    public final int batch;
    public final int maxSteps;
    /** Steps T in this window, 1..maxSteps. */
    public int steps;
    /** (T, B) input token ids, token models. */
    public final int[] tokens;
    /** (T, B, I) input vectors, real-valued models. */
    public final float[] inputs;
    /** (T, B) next-token targets, language models. */
    public final int[] targets;
    /** (T, B, O) regression targets. */
    public final float[] targetValues;
    /** (B) class labels, classification (read at the last step). */
    public final int[] labels;

    public Window(ModelSpec spec, int batch, int maxSteps) {
        if (batch < 1 || maxSteps < 1) {
            throw new IllegalArgumentException("batch and window must be at least 1");
        }
        this.batch = batch;
        this.maxSteps = maxSteps;
        this.steps = maxSteps;
        int rows = Math.multiplyExact(batch, maxSteps);
        this.tokens = spec.tokenInput() ? new int[rows] : new int[0];
        this.inputs = spec.tokenInput() ? new float[0] : new float[Math.multiplyExact(rows, spec.inputSize())];
        this.targets = switch (spec.task()) {
            case LM -> new int[rows];
            default -> new int[0];
        };
        this.targetValues = switch (spec.task()) {
            case REGRESSION -> new float[Math.multiplyExact(rows, spec.output())];
            default -> new float[0];
        };
        this.labels = new int[batch];
    }

    /** Rows of this window: T*B. */
    public int rows() {
        return steps * batch;
    }

    /** Predictions the loss averages over: T*B (lm), B (classify), T*B*O (regression). */
    public long lossCount(ModelSpec spec) {
        return switch (spec.task()) {
            case LM -> (long) steps * batch;
            case CLASSIFY -> batch;
            case REGRESSION -> (long) steps * batch * spec.output();
        };
    }
}

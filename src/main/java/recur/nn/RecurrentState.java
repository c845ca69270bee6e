package recur.nn;

import recur.model.CellType;
import recur.model.ModelSpec;

/**
 * The hidden state of B streams carried from window to window (detached: no gradient crosses a
 * window boundary). A stream marked {@link #reset(int)} starts its next window from the model's
 * initial state (zeros, or the learned h0/c0), and only then does gradient reach h0/c0.
 */
public final class RecurrentState {
    public final int batch;
    public final int hidden;
    /** [layer] (B, H). */
    public final float[][] h;
    /** [layer] (B, H); empty arrays for cells without a cell state. */
    public final float[][] c;
    /** Streams whose next window starts from the initial state. */
    public final boolean[] atStart;

    public RecurrentState(ModelSpec spec, int batch) {
        this.batch = batch;
        this.hidden = spec.hidden();
        int layers = spec.layers();
        boolean lstm = spec.cell() == CellType.LSTM;
        h = new float[layers][batch * hidden];
        c = new float[layers][lstm ? batch * hidden : 0];
        atStart = new boolean[batch];
        java.util.Arrays.fill(atStart, true);
    }

    /** Stream b starts over (new sequence, or its data wrapped around). */
    public void reset(int b) {
        atStart[b] = true;
    }

    public void resetAll() {
        java.util.Arrays.fill(atStart, true);
    }

    /** Copies another state of the same shape (used when streams move between workers or checkpoints). */
    public void copyFrom(RecurrentState other) {
        for (int l = 0; l < h.length; l++) {
            System.arraycopy(other.h[l], 0, h[l], 0, h[l].length);
            System.arraycopy(other.c[l], 0, c[l], 0, c[l].length);
        }
        System.arraycopy(other.atStart, 0, atStart, 0, atStart.length);
    }
}

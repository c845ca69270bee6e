package recur.data;

import recur.nn.RecurrentState;
import recur.nn.Window;

/**
 * Training windows over a normalised series, cut as {@link TokenStreams} cuts text: the N-1 pairs
 * (x_t, x_{t+1}) are split into B contiguous streams of L = (N-1)/B pairs (the last (N-1) mod B pairs
 * are not used), and each call fills up to k steps of every stream. Inputs are all C channels at step
 * t, targets all C channels at step t+1, so a trained model can feed its output back as its next
 * input. After a pass the streams start over from the initial state.
 */
public final class SeriesWindows implements ShardWindows {
    private final float[] data;  // (N, C) normalised
    private final int width;     // C
    private final int count;     // B
    private final int length;    // L
    private final int window;    // k
    private int position;
    private long epoch;

    /**
     * @param data   (N, C) normalised values
     * @param width  channels C
     * @param count  streams B
     * @param window window length k
     */
    public SeriesWindows(float[] data, int width, int count, int window) {
        if (width < 1 || count < 1 || window < 1) {
            throw new IllegalArgumentException("channels, streams and window must be positive");
        }
        if (data.length % width != 0) {
            throw new IllegalArgumentException(data.length + " values are not whole steps of " + width);
        }
        this.data = data;
        this.width = width;
        this.count = count;
        this.window = window;
        this.length = TokenStreams.streamLength(data.length / width, count);
    }

    @Override
    public int next(Window w, RecurrentState state) {
        if (w.batch != count) {
            throw new IllegalArgumentException("window batch " + w.batch + " but " + count + " streams");
        }
        if (position == 0) {
            state.resetAll();
        }
        int steps = Math.min(Math.min(window, w.maxSteps), length - position);
        w.steps = steps;
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < count; b++) {
                int from = (b * length + position + t) * width;   // x_t
                int row = (t * count + b) * width;                // (T, B, C)
                System.arraycopy(data, from, w.inputs, row, width);
                System.arraycopy(data, from + width, w.targetValues, row, width);
            }
        }
        position += steps;
        if (position == length) {
            position = 0;
            epoch++;
        }
        return steps;
    }

    @Override
    public int nextSteps() {
        return Math.min(window, length - position);
    }

    @Override
    public int streams() {
        return count;
    }

    /** Pairs per stream, L. */
    public int streamLength() {
        return length;
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public void seek(int position, long epoch) {
        if (position < 0 || position >= length) {
            throw new IllegalArgumentException("stream position " + position + " outside 0.." + (length - 1));
        }
        this.position = position;
        this.epoch = epoch;
    }
}

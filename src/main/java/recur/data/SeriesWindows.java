package recur.data;

import recur.nn.Window;

/**
 * Training windows over a normalised series, cut as {@link TokenStreams} cuts text: the N-1 pairs
 * (x_t, x_{t+1}) are split into B contiguous streams of L = (N-1)/B pairs (the last (N-1) mod B pairs
 * are not used), and each call fills up to k steps of every stream. Inputs are all C channels at step
 * t, targets all C channels at step t+1, so a trained model can feed its output back as its next
 * input. After a pass the streams start over from the initial state.
 */
public final class SeriesWindows extends ContiguousStreams {
    private final float[] data;  // (N, C) normalised
    private final int width;     // C

    /**
     * @param data   (N, C) normalised values
     * @param width  channels C
     * @param count  streams B
     * @param window window length k
     */
    public SeriesWindows(float[] data, int width, int count, int window) {
        super(count, TokenStreams.streamLength(data.length / checkWidth(data, width), count), window);
        this.data = data;
        this.width = width;
    }

    private static int checkWidth(float[] data, int width) {
        if (width < 1) {
            throw new IllegalArgumentException("channels must be positive");
        }
        if (data.length % width != 0) {
            throw new IllegalArgumentException(data.length + " values are not whole steps of " + width);
        }
        return width;
    }

    @Override
    protected void fill(Window w, int position, int steps) {
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < count; b++) {
                int from = (b * length + position + t) * width;   // x_t
                int row = (t * count + b) * width;                // (T, B, C)
                System.arraycopy(data, from, w.inputs, row, width);
                System.arraycopy(data, from + width, w.targetValues, row, width);
            }
        }
    }
}

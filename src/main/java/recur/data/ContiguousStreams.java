package recur.data;

import recur.nn.RecurrentState;
import recur.nn.Window;

/**
 * B contiguous streams of L (input, next) pairs each, read k steps at a time, as char-rnn's loader
 * cuts its data: the bookkeeping shared by token text ({@link TokenStreams}) and time series
 * ({@link SeriesWindows}). A window has min(k, pairs left in the pass) steps, so a stream's tail
 * shorter than k becomes a shorter window (never dropped); after it the streams start over and every
 * stream's state is reset. Subclasses only copy the data of a window.
 */
abstract class ContiguousStreams implements ShardWindows {
    protected final int count;      // streams here, B
    protected final int length;     // pairs per stream, L
    protected final int window;     // k
    private int position;           // pairs consumed in the current pass, 0..L-1
    private long epoch;

    ContiguousStreams(int count, int length, int window) {
        if (count < 1 || length < 1 || window < 1) {
            throw new IllegalArgumentException("streams, stream length and window must be positive");
        }
        this.count = count;
        this.length = length;
        this.window = window;
    }

    /** Copies steps [position, position + steps) of every stream into the window (time-major rows). */
    protected abstract void fill(Window w, int position, int steps);

    /**
     * Fills the next window (steps = min(k, pairs left in the pass)) for every stream and resets the
     * state of all streams when a new pass over the data begins. Returns the number of steps.
     */
    @Override
    public final int next(Window w, RecurrentState state) {
        if (w.batch != count) {
            throw new IllegalArgumentException("window batch " + w.batch + " but " + count + " streams");
        }
        if (position == 0) {
            state.resetAll();
        }
        int steps = Math.min(Math.min(window, w.maxSteps), length - position);
        w.steps = steps;
        fill(w, position, steps);
        position += steps;
        if (position == length) {
            position = 0;
            epoch++;
        }
        return steps;
    }

    @Override
    public final int nextSteps() {
        return Math.min(window, length - position);
    }

    @Override
    public final int streams() {
        return count;
    }

    /** Pairs per stream, L. */
    public final int streamLength() {
        return length;
    }

    /** Position within the current pass (for checkpoints). */
    @Override
    public final int position() {
        return position;
    }

    @Override
    public final long epoch() {
        return epoch;
    }

    /** Restores a position saved with {@link #position()} and {@link #epoch()}. */
    @Override
    public final void seek(int position, long epoch) {
        if (position < 0 || position >= length) {
            throw new IllegalArgumentException("stream position " + position + " outside 0.." + (length - 1));
        }
        this.position = position;
        this.epoch = epoch;
    }
}

package recur.data;

import recur.nn.RecurrentState;
import recur.nn.Window;

/**
 * Where training windows come from: B parallel streams, each call filling the next window of every
 * stream and resetting the state of streams that start over. Implemented for token text
 * ({@link TokenStreams}) and for other data (time series, labelled sequences). The position is what a
 * checkpoint stores to continue exactly.
 */
public interface WindowSource {

    /** Fills the next window; returns its number of steps (1..k). */
    int next(Window w, RecurrentState state);

    /** Number of streams B. */
    int streams();

    /** Position within the current pass over the data. */
    int position();

    /** Completed passes over the data. */
    long epoch();

    /** Restores a position saved with {@link #position()} and {@link #epoch()}. */
    void seek(int position, long epoch);
}

package recur.experiment;

import java.util.SplittableRandom;
import recur.data.WindowSource;
import recur.nn.RecurrentState;
import recur.nn.Window;

/**
 * The {@link WindowSource} of a {@link MemoryTask}: window {@code p} holds B fresh sequences drawn from
 * a generator seeded by {@code (seed, p)}, so any position can be revisited, and every stream starts
 * from the initial state (no state is carried between sequences).
 */
public final class TaskWindows implements WindowSource {
    private final MemoryTask task;
    private final int streams;
    private final long seed;
    private int position;
    private long epoch;

    public TaskWindows(MemoryTask task, int streams, long seed) {
        this.task = task;
        this.streams = streams;
        this.seed = seed;
    }

    /** The generator of window {@code p}: independent of every other window's. */
    static SplittableRandom generator(long seed, long p) {
        return new SplittableRandom(seed ^ (p * 0x9E3779B97F4A7C15L)).split();
    }

    @Override
    public int next(Window w, RecurrentState state) {
        task.fill(w, generator(seed, position));
        state.resetAll();
        if (++position == Integer.MAX_VALUE) {
            position = 0;
            epoch++;
        }
        return w.steps;
    }

    @Override
    public int streams() {
        return streams;
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
        this.position = position;
        this.epoch = epoch;
    }
}

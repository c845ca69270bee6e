package recur.data;

/**
 * A {@link WindowSource} that knows the length of its next window before filling it: what a worker
 * of the distributed trainer needs to weight the gradients of its shards by their loss counts
 * before it computes them. Token text, time series and labelled sequences are such sources.
 */
public interface ShardWindows extends WindowSource {

    /** Steps of the window the next call to {@link #next} fills (1..k). */
    int nextSteps();
}

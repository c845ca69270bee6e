package recur.data;

import recur.nn.Window;

/**
 * B parallel streams over a token sequence, as char-rnn's loader cuts them: the N-1 (input, next
 * token) pairs of the data are split into S equal contiguous streams of L = (N-1)/S pairs; the last
 * (N-1) mod S pairs (fewer than S) do not fit a stream and are reported by {@link #unusedPairs()}.
 * Each call to {@link #next} fills one window of up to k steps for every stream. A stream's tail
 * shorter than k becomes a shorter window (never dropped); after it the streams start over and
 * their hidden state is reset.
 *
 * <p>A worker owns a shard: streams [first, first+count) of a global cut into S streams, which is a
 * contiguous slice of the data ({@link #shard}); so N workers of B streams see exactly the data of one
 * process with N*B streams.
 */
public final class TokenStreams extends ContiguousStreams {
    private final int[] data;       // shard-local tokens: count*L + 1 of them
    private final int unused;

    /**
     * @param data   tokens of this shard: at least count*length + 1
     * @param count  streams B
     * @param length pairs per stream L
     * @param window window length k
     */
    public TokenStreams(int[] data, int count, int length, int window, int unusedPairs) {
        super(count, length, window);
        if ((long) count * length + 1 > data.length) {
            throw new IllegalArgumentException(count + " streams of " + length + " need " + ((long) count * length + 1)
                    + " tokens, the shard has " + data.length);
        }
        this.data = data;
        this.unused = unusedPairs;
    }

    /** All the data as S streams (single process). */
    public static TokenStreams of(int[] tokens, int streams, int window) {
        return shard(tokens, streams, 0, streams, window);
    }

    /** Streams [first, first+count) of the data cut into totalStreams streams. */
    public static TokenStreams shard(int[] tokens, int totalStreams, int first, int count, int window) {
        int length = streamLength(tokens.length, totalStreams);
        int from = first * length;
        int to = (first + count) * length + 1;
        int[] slice = java.util.Arrays.copyOfRange(tokens, from, to);
        int unused = (tokens.length - 1) - totalStreams * length;
        return new TokenStreams(slice, count, length, window, unused);
    }

    /** Pairs per stream when n tokens are cut into s streams; an error when the data is too short. */
    public static int streamLength(long tokens, int streams) {
        if (streams < 1) {
            throw new IllegalArgumentException("the number of streams must be at least 1");
        }
        long length = (tokens - 1) / streams;
        if (length < 1) {
            throw new IllegalArgumentException("the data has " + tokens + " tokens: too short for " + streams
                    + " streams (each needs at least 2 tokens); use fewer streams or more data");
        }
        return (int) Math.min(length, Integer.MAX_VALUE);
    }

    @Override
    protected void fill(Window w, int position, int steps) {
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < count; b++) {
                int i = b * length + position + t;
                w.tokens[t * count + b] = data[i];
                w.targets[t * count + b] = data[i + 1];
            }
        }
    }

    /** Pairs of the data that fit no stream (fewer than the number of streams). */
    public int unusedPairs() {
        return unused;
    }

    /** The shard's tokens (to send a worker that has no copy of the data). */
    public int[] data() {
        return data;
    }
}

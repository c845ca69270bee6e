package recur.dist;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import recur.data.LabelledSequences.Sequence;
import recur.data.TokenStreams;
import recur.wire.ShardSlice;

/**
 * What a distributed run trains on, and how the parameter server cuts it into shards of B streams
 * for its workers ({@link ShardSlice}, one per shard):
 * <ul>
 *   <li>{@link Tokens}: token text, cut char-rnn style into S = shards x B contiguous streams;</li>
 *   <li>{@link Series}: a normalised time series (N steps of C channels), cut the same way, so N
 *       workers of B streams see the data of one process with N*B streams;</li>
 *   <li>{@link Labelled}: labelled sequences, dealt round-robin to the shards (sequence i to shard
 *       i mod shards), each shard batching its own by length with a seed split from the run's.</li>
 * </ul>
 */
public sealed interface ShardData {

    /** Fails with an {@link IllegalArgumentException} when the data cannot fill {@code shards} x {@code streams}. */
    void check(int shards, int streams);

    /** Shard {@code shard}'s data when the run has {@code shards} shards of {@code streams} streams. */
    ShardSlice slice(int shard, int shards, int streams);

    /** Token ids. */
    record Tokens(int[] tokens) implements ShardData {
        @Override
        public void check(int shards, int streams) {
            TokenStreams.streamLength(tokens.length, Math.multiplyExact(shards, streams));
        }

        @Override
        public ShardSlice slice(int shard, int shards, int streams) {
            TokenStreams t = TokenStreams.shard(tokens, Math.multiplyExact(shards, streams), shard * streams, streams, 1);
            return new ShardSlice.Tokens(t.data(), t.streamLength(), t.unusedPairs());
        }
    }

    /** A normalised series, row-major (N, C). */
    record Series(float[] values, int channels) implements ShardData {
        public Series {
            if (channels < 1 || values.length % channels != 0) {
                throw new IllegalArgumentException(values.length + " values are not whole steps of " + channels + " channels");
            }
        }

        @Override
        public void check(int shards, int streams) {
            TokenStreams.streamLength(values.length / channels, Math.multiplyExact(shards, streams));
        }

        @Override
        public ShardSlice slice(int shard, int shards, int streams) {
            int length = TokenStreams.streamLength(values.length / channels, Math.multiplyExact(shards, streams));
            long from = (long) shard * streams * length * channels;
            long to = ((long) (shard + 1) * streams * length + 1) * channels;
            return new ShardSlice.Series(Arrays.copyOfRange(values, Math.toIntExact(from), Math.toIntExact(to)),
                    channels, length);
        }
    }

    /** Labelled sequences and the run's seed. */
    record Labelled(List<Sequence> sequences, long seed) implements ShardData {
        public Labelled {
            sequences = List.copyOf(sequences);
        }

        @Override
        public void check(int shards, int streams) {
            if (shards > sequences.size()) {
                throw new IllegalArgumentException("the data has " + sequences.size() + " sequences: too few for "
                        + shards + " shards (each needs at least one); use fewer workers or more data");
            }
        }

        @Override
        public ShardSlice slice(int shard, int shards, int streams) {
            List<Sequence> mine = new ArrayList<>();
            for (int i = shard; i < sequences.size(); i += shards) {
                mine.add(sequences.get(i));
            }
            return new ShardSlice.Labelled(mine, shardSeed(seed, shard));
        }

        /** The batch-order seed of shard {@code shard}: the shard-th split of the run's seed. */
        static long shardSeed(long seed, int shard) {
            SplittableRandom root = new SplittableRandom(seed);
            SplittableRandom mine = root.split();
            for (int i = 0; i < shard; i++) {
                mine = root.split();
            }
            return mine.nextLong();
        }
    }
}

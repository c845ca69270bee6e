package recur.dist;

import java.util.ArrayList;
import java.util.List;
import recur.data.TokenStreams;
import recur.model.ModelSpec;
import recur.wire.ShardGrant;
import recur.wire.ShardSnapshot;
import recur.wire.proto.Checkpoint;

/**
 * The data cut into {@code shards} x B streams (char-rnn style: shard i holds the contiguous streams
 * [i*B, (i+1)*B) of the global cut), who owns each shard and where each stands: the latest state a
 * worker reported with its gradient, or the state from the checkpoint, or the start of the data.
 * Event-loop owned.
 */
final class ShardTable {
    static final int UNOWNED = -1;

    private final int[] tokens;
    private final int shards;
    private final int streams;
    private final int window;
    private final int[] owner;
    private final ShardSnapshot[] state;
    private final TokenStreams[] slices;

    ShardTable(int[] tokens, int shards, int streams, int window, ModelSpec spec) {
        this.tokens = tokens;
        this.shards = shards;
        this.streams = streams;
        this.window = window;
        this.owner = new int[shards];
        this.state = new ShardSnapshot[shards];
        this.slices = new TokenStreams[shards];
        TokenStreams.streamLength(tokens.length, Math.multiplyExact(shards, streams)); // fails early on short data
        for (int i = 0; i < shards; i++) {
            owner[i] = UNOWNED;
            state[i] = ShardSnapshot.fresh(i, spec, streams);
        }
    }

    int count() {
        return shards;
    }

    int totalStreams() {
        return shards * streams;
    }

    int owner(int shard) {
        return owner[shard];
    }

    void setOwner(int shard, int worker) {
        owner[shard] = worker;
    }

    /** Shards nobody owns, in order. */
    List<Integer> orphans() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            if (owner[i] == UNOWNED) {
                out.add(i);
            }
        }
        return out;
    }

    /** Records a state reported by the shard's owner. */
    void update(ShardSnapshot s) {
        state[s.shard()] = s;
    }

    boolean valid(ShardSnapshot s) {
        return s.shard() >= 0 && s.shard() < shards && s.atStart().length == streams;
    }

    /** The shard's tokens and current state, for the worker that takes it over. */
    ShardGrant grant(int shard) {
        if (slices[shard] == null) {
            slices[shard] = TokenStreams.shard(tokens, totalStreams(), shard * streams, streams, window);
        }
        TokenStreams t = slices[shard];
        return new ShardGrant(state[shard], t.streamLength(), t.unusedPairs(), t.data());
    }

    void save(Checkpoint.Builder c) {
        for (ShardSnapshot s : state) {
            c.addShards(s.toProto());
        }
    }

    void restore(Checkpoint c) {
        if (c.getShardsCount() != shards) {
            throw new IllegalArgumentException("checkpoint: expected " + shards + " shards, found " + c.getShardsCount());
        }
        for (int i = 0; i < shards; i++) {
            ShardSnapshot s = ShardSnapshot.fromProto(c.getShards(i));
            if (s.shard() != i || !valid(s)) {
                throw new IllegalArgumentException("checkpoint: shard " + i + " does not fit " + shards + " shards of "
                        + streams + " streams");
            }
            state[i] = s;
        }
    }
}

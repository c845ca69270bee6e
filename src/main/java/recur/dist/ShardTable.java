package recur.dist;

import recur.model.ModelSpec;
import recur.wire.ShardGrant;
import recur.wire.ShardSlice;
import recur.wire.ShardSnapshot;
import recur.wire.proto.Checkpoint;

/**
 * The data cut into {@code shards} shards of B streams ({@link ShardData}: for text and series shard i
 * holds the contiguous streams [i*B, (i+1)*B) of the global cut), who owns each shard and where each stands: the latest state a
 * worker reported with its gradient, or the state from the checkpoint, or the start of the data.
 * Event-loop owned.
 */
final class ShardTable {
    static final int UNOWNED = -1;

    private final ShardData data;
    private final int shards;
    private final int streams;
    private final int[] owner;
    private final ShardSnapshot[] state;
    private final ShardSlice[] slices;

    ShardTable(ShardData data, int shards, int streams, ModelSpec spec) {
        this.data = data;
        this.shards = shards;
        this.streams = streams;
        this.owner = new int[shards];
        this.state = new ShardSnapshot[shards];
        this.slices = new ShardSlice[shards];
        data.check(shards, streams); // fails early on short data
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

    /** Records a state reported by the shard's owner, holding its buffer until a newer one replaces it. */
    void update(ShardSnapshot s) {
        s.retain();
        state[s.shard()].release();
        state[s.shard()] = s;
    }

    boolean valid(ShardSnapshot s) {
        return s.shard() >= 0 && s.shard() < shards && s.atStart().length == streams;
    }

    /** The shard's data and current state, for the worker that takes it over. */
    ShardGrant grant(int shard) {
        if (slices[shard] == null) {
            slices[shard] = data.slice(shard, shards, streams);
        }
        // A copy: the grant may be re-sent or delayed after a newer state has replaced (and released) this one.
        return new ShardGrant(state[shard].copy(), slices[shard]);
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
            state[i].release();
            state[i] = s;
        }
    }
}

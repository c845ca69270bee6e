package recur.wire;

import recur.wire.proto.ShardAssignment;

/**
 * A shard handed to a worker: its data ({@link ShardSlice}: token text, a time series or labelled
 * sequences, so a worker needs no copy of the data) and where its streams stand.
 */
public record ShardGrant(ShardSnapshot state, ShardSlice data) {

    /** A shard of token text: {@code count*L + 1} ids. */
    public ShardGrant(ShardSnapshot state, int streamLength, int unusedPairs, int[] tokens) {
        this(state, new ShardSlice.Tokens(tokens, streamLength, unusedPairs));
    }

    /** The token ids of a text shard. */
    public int[] tokens() {
        if (data instanceof ShardSlice.Tokens t) {
            return t.tokens();
        }
        throw new IllegalStateException("shard " + state.shard() + " holds " + data.getClass().getSimpleName()
                + " data, not tokens");
    }

    public ShardAssignment toProto() {
        ShardAssignment.Builder b = ShardAssignment.newBuilder().setState(state.toProto());
        data.writeTo(b);
        return b.build();
    }

    public static ShardGrant fromProto(ShardAssignment p) {
        ShardSnapshot state = ShardSnapshot.fromProto(p.getState());
        int streams = state.atStart().length;
        ShardSlice data = ShardSlice.fromProto(p, streams, state.shard());
        int positions = data.positions(streams);
        if (state.position() >= positions) {
            throw new WireFormatException("shard " + state.shard() + ": expected a position below " + positions
                    + ", found " + state.position());
        }
        return new ShardGrant(state, data);
    }
}

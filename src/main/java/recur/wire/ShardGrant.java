package recur.wire;

import recur.wire.proto.ShardAssignment;

/**
 * A shard handed to a worker: its tokens ({@code count*L + 1} ids, so a worker needs no copy of the
 * data) and where its streams stand.
 */
public record ShardGrant(ShardSnapshot state, int streamLength, int unusedPairs, int[] tokens) {

    public ShardAssignment toProto() {
        return ShardAssignment.newBuilder().setState(state.toProto()).setStreamLength(streamLength)
                .setUnusedPairs(unusedPairs).setTokens(Tensors.encodeInts(tokens)).build();
    }

    public static ShardGrant fromProto(ShardAssignment p) {
        ShardSnapshot state = ShardSnapshot.fromProto(p.getState());
        int[] tokens = Tensors.decodeInts(p.getTokens(), "shard " + state.shard() + " tokens");
        int streams = state.atStart().length;
        if (p.getStreamLength() < 1) {
            throw new WireFormatException("shard " + state.shard() + ": expected a stream length >= 1, found "
                    + p.getStreamLength());
        }
        long needed = Math.addExact(Math.multiplyExact((long) streams, p.getStreamLength()), 1L);
        if (tokens.length != needed) {
            throw new WireFormatException("shard " + state.shard() + ": expected " + needed + " tokens for "
                    + streams + " streams of " + p.getStreamLength() + ", found " + tokens.length);
        }
        if (state.position() >= p.getStreamLength()) {
            throw new WireFormatException("shard " + state.shard() + ": expected a position below "
                    + p.getStreamLength() + ", found " + state.position());
        }
        return new ShardGrant(state, p.getStreamLength(), p.getUnusedPairs(), tokens);
    }
}

package recur.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import recur.data.LabelledSequences.Sequence;
import recur.wire.proto.ShardAssignment;

/** Every kind of shard data survives the wire, and a decoder rejects data that does not add up. */
class ShardSliceTest {

    private static ShardSnapshot state(int shard, int streams, int position) {
        return new ShardSnapshot(shard, position, 2, new float[][] {new float[streams * 3]},
                new float[][] {new float[0]}, new boolean[streams]);
    }

    private static ShardGrant roundTrip(ShardGrant g) {
        WeightsMessage w = new WeightsMessage(1, new float[] {1f}, List.of(g), List.of(), false, false);
        return WeightsMessage.fromProto(WireCodecs.parse(w.toProto().toByteArray(), "w", recur.wire.proto.Weights::parseFrom))
                .assign().getFirst();
    }

    @Test
    void seriesShardsKeepTheirShapeAndValues() {
        float[] values = new float[(2 * 5 + 1) * 3]; // 2 streams of 5 pairs, 3 channels
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.25f - 1;
        }
        ShardGrant back = roundTrip(new ShardGrant(state(1, 2, 4), new ShardSlice.Series(values, 3, 5)));
        ShardSlice.Series s = (ShardSlice.Series) back.data();
        assertEquals(3, s.channels());
        assertEquals(5, s.streamLength());
        assertArrayEquals(values, s.values());
        assertEquals(4, s.windows(2, 4).nextSteps());

        ShardAssignment.Builder bad = new ShardGrant(state(1, 2, 0), new ShardSlice.Series(values, 3, 5)).toProto().toBuilder();
        bad.setStreamLength(6);
        WireFormatException e = assertThrows(WireFormatException.class, () -> ShardGrant.fromProto(bad.build()));
        assertTrue(e.getMessage().contains("expected shape [13, 3], found [11, 3]"), e.getMessage());
        ShardAssignment.Builder late = new ShardGrant(state(1, 2, 5), new ShardSlice.Series(values, 3, 5)).toProto().toBuilder();
        e = assertThrows(WireFormatException.class, () -> ShardGrant.fromProto(late.build()));
        assertTrue(e.getMessage().contains("expected a position below 5, found 5"), e.getMessage());
    }

    @Test
    void labelledShardsKeepEverySequenceAndTheSeed() {
        List<Sequence> seqs = List.of(new Sequence(new int[] {4, 5, 6}, 1), new Sequence(new int[] {7}, 0),
                new Sequence(new int[] {8, 9, 10}, 1));
        ShardGrant back = roundTrip(new ShardGrant(state(0, 2, 1), new ShardSlice.Labelled(seqs, 77)));
        ShardSlice.Labelled l = (ShardSlice.Labelled) back.data();
        assertEquals(77, l.seed());
        assertEquals(3, l.sequences().size());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(seqs.get(i).tokens(), l.sequences().get(i).tokens());
            assertEquals(seqs.get(i).label(), l.sequences().get(i).label());
        }

        ShardAssignment.Builder bad = new ShardGrant(state(0, 2, 0), new ShardSlice.Labelled(seqs, 77)).toProto().toBuilder();
        bad.setLengths(Tensors.encodeInts(new int[] {3, 1, 4}));
        WireFormatException e = assertThrows(WireFormatException.class, () -> ShardGrant.fromProto(bad.build()));
        assertTrue(e.getMessage().contains("sequence 2 of 4 tokens does not fit the 7 tokens sent"), e.getMessage());
        bad.setLengths(Tensors.encodeInts(new int[] {3, 1}));
        e = assertThrows(WireFormatException.class, () -> ShardGrant.fromProto(bad.build()));
        assertTrue(e.getMessage().contains("2 lengths and 3 labels"), e.getMessage());
    }

    @Test
    void anUnknownKindIsRejected() {
        ShardAssignment.Builder b = new ShardGrant(state(0, 1, 0), 2, 0, new int[] {1, 2, 3}).toProto().toBuilder();
        b.setKindValue(9);
        WireFormatException e = assertThrows(WireFormatException.class, () -> ShardGrant.fromProto(b.build()));
        assertTrue(e.getMessage().contains("unknown data kind 9"), e.getMessage());
    }
}

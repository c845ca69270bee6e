package recur.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import recur.wire.proto.GradientPush;
import recur.wire.proto.Weights;

/**
 * A tensor link's frame parts ({@link LinkMessage}): the protobuf part is the message's protobuf with
 * its tensor's values left out, the values follow as a {@link RawTensor}, and decoding the part with
 * those values gives back the message, with the same checks as the event-bus codecs.
 */
class LinkFramesTest {
    private static float[] floats(int n, long seed) {
        return TensorFramesTest.floats(n, seed);
    }

    private static ShardSnapshot state(int shard) {
        return TensorFramesTest.state(shard);
    }

    private static GradientMessage gradient(float[] grad, List<ShardSnapshot> shards) {
        return new GradientMessage(2, 41, grad, 64, 64, 2.5, 3.25, 0.5, 12.0, 1.0, shards, null, 9);
    }

    /** What the link reads: the raw values copied into the decoded message's array (the link's job). */
    private static <T> T fill(Incoming<T> in, RawTensor sent) {
        assertEquals(sent.count(), in.tensor().count());
        assertEquals(sent.bf16(), in.tensor().bf16());
        System.arraycopy(sent.values(), 0, in.tensor().values(), 0, sent.count());
        return in.message();
    }

    private static ByteBuffer bytes(Buffer b) {
        return ByteBuffer.wrap(b.getBytes());
    }

    @Test
    void pushesComeBackWhole() {
        for (float[] grad : List.of(floats(1000, 1), Bf16.rounded(floats(1000, 2)), new float[0], floats(130, 3))) {
            for (List<ShardSnapshot> shards : List.of(List.<ShardSnapshot>of(), List.of(state(3), state(5)))) {
                GradientMessage m = gradient(grad, shards);
                Buffer proto = Buffer.buffer();
                RawTensor raw = m.writeLinkProto(proto);
                assertSame(grad, raw.values(), "the values are read from the message's own array");
                assertEquals(grad.length > 0 && Bf16.exact(grad), raw.bf16());

                GradientPush whole = m.toProto();
                GradientPush part = WireCodecs.parseAliased(bytes(proto), "push", GradientPush::parseFrom);
                assertEquals(whole.toBuilder().setGrad(whole.getGrad().toBuilder().clearData()).build(), part,
                        "the protobuf part is the message without the tensor's data");

                ArrayPool pool = new ArrayPool(1);
                GradientMessage back = fill(WireCodecs.pushFromLink(bytes(proto), raw.bytes(), pool), raw);
                assertEquals(whole, back.toProto());
                assertEquals(9, back.seq());
                if (grad.length > 0) {
                    back.release();
                    assertEquals(1, pool.made(), "decoded into a pooled array");
                }
            }
        }
    }

    @Test
    void weightsComeBackWhole() {
        ShardSnapshot at2 = new ShardSnapshot(1, 2, 0, new float[][] {new float[4]}, new float[][] {new float[0]},
                new boolean[] {false, false});
        ShardGrant grant = new ShardGrant(at2, 3, 1, new int[] {1, 2, 3, 4, 5, 6, 7});
        for (WeightsMessage w : List.of(
                new WeightsMessage(7, floats(5000, 4), List.of(), List.of(), false, false),
                new WeightsMessage(8, Bf16.rounded(floats(5000, 5)), List.of(grant), List.of(2, 4), false, false),
                new WeightsMessage(9, floats(3, 6), List.of(), List.of(), false, true, true, 2),
                new WeightsMessage(10, null, List.of(), List.of(), true, true))) {
            Buffer proto = Buffer.buffer();
            RawTensor raw = w.writeLinkProto(proto);
            assertEquals(w.params() == null ? 0 : w.params().length, raw.count());
            WeightsMessage back = fill(WireCodecs.weightsFromLink(bytes(proto), raw.bytes(), null), raw);
            assertEquals(w.toProto(), back.toProto());
        }
    }

    @Test
    void bf16ValuesTakeTwoBytesEach() {
        RawTensor raw = gradient(Bf16.rounded(floats(10, 1)), List.of()).writeLinkProto(Buffer.buffer());
        assertTrue(raw.bf16());
        assertEquals(20, raw.bytes());
        assertEquals(40, gradient(floats(10, 1), List.of()).writeLinkProto(Buffer.buffer()).bytes());
    }

    @Test
    void valuesThatDoNotFitTheShapeAreRefused() {
        Buffer proto = Buffer.buffer();
        RawTensor raw = gradient(floats(10, 1), List.of()).writeLinkProto(proto);
        WireFormatException e = assertThrows(WireFormatException.class,
                () -> WireCodecs.pushFromLink(bytes(proto), raw.bytes() - 4, null));
        assertEquals("gradient: shape [10] needs 40 bytes, found 36", e.getMessage());

        Buffer bf = Buffer.buffer();
        gradient(Bf16.rounded(floats(10, 1)), List.of()).writeLinkProto(bf);
        e = assertThrows(WireFormatException.class, () -> WireCodecs.pushFromLink(bytes(bf), 40, null));
        assertEquals("gradient: bf16 shape [10] needs 20 bytes, found 40", e.getMessage());

        Buffer stop = Buffer.buffer();
        new WeightsMessage(10, null, List.of(), List.of(), true, false).writeLinkProto(stop);
        e = assertThrows(WireFormatException.class, () -> WireCodecs.weightsFromLink(bytes(stop), 8, null));
        assertEquals("weights: expected no values after a message without params, found 8 bytes", e.getMessage());
    }

    @Test
    void aTensorWithItsDataInTheProtobufPartIsRefused() {
        GradientPush whole = gradient(floats(3, 1), List.of()).toProto(); // data in the protobuf, as on the bus
        WireFormatException e = assertThrows(WireFormatException.class,
                () -> WireCodecs.pushFromLink(ByteBuffer.wrap(whole.toByteArray()), 12, null));
        assertEquals("gradient: expected the values after the frame's protobuf part, found 12 bytes in its data field",
                e.getMessage());
    }

    @Test
    void theProtobufPartIsCheckedAsOnTheBus() {
        GradientPush wrongFormat = GradientPush.newBuilder().setFormat(WireFormat.VERSION + 1)
                .setGrad(recur.wire.proto.Tensor.newBuilder().addShape(2)).build();
        WireFormatException e = assertThrows(WireFormatException.class,
                () -> WireCodecs.pushFromLink(ByteBuffer.wrap(wrongFormat.toByteArray()), 8, null));
        assertTrue(e.getMessage().startsWith("gradient push"), e.getMessage());

        Weights badDtype = Weights.newBuilder().setFormat(WireFormat.VERSION)
                .setParams(recur.wire.proto.Tensor.newBuilder().addShape(2).setDtype("f64")).build();
        e = assertThrows(WireFormatException.class,
                () -> WireCodecs.weightsFromLink(ByteBuffer.wrap(badDtype.toByteArray()), 16, null));
        assertEquals("weights: expected dtype f32 or bf16, found 'f64'", e.getMessage());

        e = assertThrows(WireFormatException.class,
                () -> WireCodecs.pushFromLink(ByteBuffer.wrap(new byte[] {(byte) 0xff, 1}), 0, null));
        assertTrue(e.getMessage().startsWith("gradient push: malformed protobuf"), e.getMessage());
    }

    @Test
    void aServerDecodesPushedShardStatesIntoPooledStatesWhenTheyFit() {
        // state(k): 2 layers of 2 streams x 3 hidden, h and c: an LSTM of that shape fits the pool.
        recur.model.ModelSpec lstm = recur.model.ModelSpec.tokens(recur.model.CellType.LSTM, 2, 3, 4, List.of("a", "b"),
                recur.model.Task.LM, 2, false);
        Pool<recur.nn.RecurrentState> states = new Pool<>(() -> new recur.nn.RecurrentState(lstm, 2), 4);
        ArrayPool arrays = new ArrayPool(2);
        float[] grad = floats(100, 7);
        for (int round = 0; round < 5; round++) {
            ShardSnapshot sent = state(3 + round);
            GradientMessage m = gradient(grad, List.of(sent));
            Buffer proto = Buffer.buffer();
            RawTensor raw = m.writeLinkProto(proto);
            GradientMessage back = fill(WireCodecs.pushFromLink(bytes(proto), raw.bytes(), arrays, states), raw);
            ShardSnapshot got = back.shards().getFirst();
            assertTrue(got.buffer() != null, "decoded into a pooled state");
            assertEquals(m.toProto(), back.toProto(), "the same push, shard state included");
            back.release();
        }
        assertEquals(1, states.made(), "one state, reused every round once released");

        // A state of another shape (3 streams) is decoded into arrays of its own, checked as ever.
        ShardSnapshot odd = new ShardSnapshot(1, 2, 0, new float[][] {floats(9, 1), floats(9, 2)},
                new float[][] {floats(9, 3), floats(9, 4)}, new boolean[] {true, false, true});
        GradientMessage m = gradient(grad, List.of(odd));
        Buffer proto = Buffer.buffer();
        RawTensor raw = m.writeLinkProto(proto);
        GradientMessage back = fill(WireCodecs.pushFromLink(bytes(proto), raw.bytes(), arrays, states), raw);
        assertTrue(back.shards().getFirst().buffer() == null, "not the pool's shape: arrays of its own");
        assertEquals(m.toProto(), back.toProto());
        assertEquals(1, states.made(), "the pool's state went back unused");
    }
}

package recur.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Gradients and weights written straight into a frame are byte for byte the length-prefixed
 * protobuf encoding of the same message, and decode to the same message, for float32 and bf16
 * tensors, empty ones, shard states and shard moves, in Vert.x's frame buffer and in any other.
 */
class TensorFramesTest {
    /** The codecs as {@link WireCodecs} registers them. */
    private static final WireCodec<GradientMessage> GRADIENTS = WireCodec.framed("g", (f, m) -> m.writeFrame(f),
            b -> GradientMessage.fromProto(WireCodecs.parseAliased(b, "g", recur.wire.proto.GradientPush::parseFrom)));
    private static final WireCodec<WeightsMessage> WEIGHTS = WireCodec.framed("w", (f, m) -> m.writeFrame(f),
            b -> WeightsMessage.fromProto(WireCodecs.parseAliased(b, "w", recur.wire.proto.Weights::parseFrom)));

    static float[] floats(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rng.nextDouble(-3, 3);
        }
        return a;
    }

    static ShardSnapshot state(int shard) {
        return new ShardSnapshot(shard, 17, 2, new float[][] {floats(6, 2), floats(6, 3)},
                new float[][] {floats(6, 4), floats(6, 5)}, new boolean[] {true, false});
    }

    private static GradientMessage gradient(float[] grad, List<ShardSnapshot> shards) {
        return new GradientMessage(2, 41, grad, 64, 64, 2.5, 3.25, 0.5, 12.0, 1.0, shards);
    }

    /** What the frame must hold: a prefix, then the int32 length and the protobuf bytes. */
    private static Buffer expected(Buffer prefix, byte[] proto) {
        return prefix.copy().appendInt(proto.length).appendBytes(proto);
    }

    @Test
    void gradientFramesAreTheProtobufBytes() {
        for (float[] grad : List.of(floats(1000, 1), Bf16.rounded(floats(1000, 2)), new float[0], new float[] {0f},
                floats(130, 3))) {
            for (List<ShardSnapshot> shards : List.of(List.<ShardSnapshot>of(), List.of(state(3), state(5)))) {
                GradientMessage m = gradient(grad, shards);
                Buffer frame = Buffer.buffer().appendString("hdr");
                GRADIENTS.encodeToWire(frame, m);
                assertEquals(expected(Buffer.buffer().appendString("hdr"), m.toProto().toByteArray()), frame);

                GradientMessage back = GRADIENTS.decodeFromWire(3, frame);
                assertArrayEquals(grad, back.grad());
                assertEquals(m.weightVersion(), back.weightVersion());
                assertEquals(m.loss(), back.loss());
                assertEquals(shards.size(), back.shards().size());
            }
        }
    }

    @Test
    void weightsFramesAreTheProtobufBytes() {
        ShardSnapshot at2 = new ShardSnapshot(1, 2, 0, new float[][] {new float[4]}, new float[][] {new float[0]},
                new boolean[] {false, false});
        ShardGrant grant = new ShardGrant(at2, 3, 1, new int[] {1, 2, 3, 4, 5, 6, 7});
        List<WeightsMessage> all = List.of(
                new WeightsMessage(7, floats(5000, 4), List.of(), List.of(), false, false),
                new WeightsMessage(8, Bf16.rounded(floats(5000, 5)), List.of(grant), List.of(2, 4), false, false),
                new WeightsMessage(9, floats(3, 6), List.of(), List.of(), false, true, true, 2),
                new WeightsMessage(10, null, List.of(), List.of(), true, true)); // the stop message: no tensor
        for (WeightsMessage w : all) {
            Buffer frame = Buffer.buffer();
            WEIGHTS.encodeToWire(frame, w);
            assertEquals(expected(Buffer.buffer(), w.toProto().toByteArray()), frame);

            WeightsMessage back = WEIGHTS.decodeFromWire(0, frame);
            assertArrayEquals(w.params(), back.params());
            assertEquals(w.version(), back.version());
            assertEquals(w.revoke(), back.revoke());
            assertEquals(w.assign().size(), back.assign().size());
            assertEquals(w.stop(), back.stop());
            assertEquals(w.resend(), back.resend());
            assertEquals(w.slice(), back.slice());
        }
        assertNull(WeightsMessage.fromProto(all.getLast().toProto()).params());
    }

    @Test
    void aFrameInAnyOtherBufferIsWrittenAsideAndAppended() {
        // two wrapped arrays: not one contiguous region to write into
        Buffer composite = BufferInternal.buffer(Unpooled.wrappedBuffer(new byte[] {1, 2}, new byte[] {3}));
        GradientMessage m = gradient(floats(300, 9), List.of(state(1)));
        m.writeFrame(composite);
        assertEquals(expected(Buffer.buffer(new byte[] {1, 2, 3}), m.toProto().toByteArray()), composite);
    }
}

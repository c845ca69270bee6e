package recur.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import recur.wire.proto.GradientPush;
import recur.wire.proto.JoinReply;
import recur.wire.proto.JoinRequest;
import recur.wire.proto.TensorHello;
import recur.wire.proto.Tensor;

@ExtendWith(VertxExtension.class)
class WireCodecTest {

    private static float[] randomFloats(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rng.nextDouble(-3, 3);
        }
        return a;
    }

    @Test
    void tensorRoundTripsAtAwkwardSizes() {
        for (int n : new int[] {0, 1, 7, 15, 17, 31, 33, 1023}) {
            float[] a = randomFloats(n, n);
            if (n > 1) {
                a[0] = Float.MIN_VALUE; // subnormal
                a[n - 1] = -0f;
            }
            float[] back = Tensors.decode(Tensors.encode(a), "t", n);
            assertArrayEquals(a, back);
        }
        float[] m = randomFloats(21, 5);
        assertArrayEquals(m, Tensors.decode(Tensors.encode(m, 3, 7), "m", 3, 7));
    }

    @Test
    void tensorBytesAreLittleEndianFloat32() {
        Tensor t = Tensors.encode(new float[] {1f}, 1);
        assertEquals(ByteString.copyFrom(new byte[] {0, 0, (byte) 0x80, 0x3f}), t.getData());
    }

    @Test
    void decoderRejectsSizesThatDoNotFit() {
        Tensor shortData = Tensor.newBuilder().addShape(4).setData(ByteString.copyFrom(new byte[12])).build();
        WireFormatException e = assertThrows(WireFormatException.class, () -> Tensors.decode(shortData, "grad"));
        assertTrue(e.getMessage().contains("needs 16 bytes, found 12"), e.getMessage());

        Tensor overflow = Tensor.newBuilder().addShape(1 << 30).addShape(1 << 30).addShape(1 << 30)
                .setData(ByteString.EMPTY).build();
        e = assertThrows(WireFormatException.class, () -> Tensors.decode(overflow, "grad"));
        assertTrue(e.getMessage().contains("expected at most"), e.getMessage());

        Tensor negative = Tensor.newBuilder().addShape(-1).setData(ByteString.EMPTY).build();
        e = assertThrows(WireFormatException.class, () -> Tensors.decode(negative, "grad"));
        assertTrue(e.getMessage().contains("expected dimensions >= 0, found -1"), e.getMessage());

        Tensor ok = Tensors.encode(new float[6], 2, 3);
        e = assertThrows(WireFormatException.class, () -> Tensors.decode(ok, "w", 3, 2));
        assertTrue(e.getMessage().contains("expected shape [3, 2], found [2, 3]"), e.getMessage());

        e = assertThrows(WireFormatException.class, () -> Tensors.decodeInts(ByteString.copyFrom(new byte[5]), "tok"));
        assertTrue(e.getMessage().contains("expected a multiple of 4 bytes, found 5"), e.getMessage());
    }

    @Test
    void decoderRejectsOtherFormatVersions() {
        GradientPush p = sampleGradient().toProto().toBuilder().setFormat(2).build();
        WireFormatException e = assertThrows(WireFormatException.class, () -> GradientMessage.fromProto(p));
        assertEquals("gradient push: expected format 1, found 2", e.getMessage());
    }

    @Test
    void gradientRoundTripsThroughTheWireCodec() {
        GradientMessage m = sampleGradient();
        WireCodec<GradientMessage> codec = new WireCodec<>("g", x -> x.toProto().toByteArray(),
                b -> GradientMessage.fromProto(WireCodecs.parse(b, "g", GradientPush::parseFrom)));
        Buffer buf = Buffer.buffer().appendString("xyz");
        codec.encodeToWire(buf, m);
        GradientMessage back = codec.decodeFromWire(3, buf);
        assertArrayEquals(m.grad(), back.grad());
        assertEquals(m.weightVersion(), back.weightVersion());
        assertEquals(m.tokens(), back.tokens());
        assertEquals(m.loss(), back.loss());
        assertEquals(m.norm(), back.norm());
        assertEquals(m.clipRatio(), back.clipRatio());
        assertEquals(9, back.seq());
        ShardSnapshot s = back.shards().getFirst();
        assertEquals(3, s.shard());
        assertEquals(17, s.position());
        assertArrayEquals(m.shards().getFirst().h()[1], s.h()[1]);
        assertArrayEquals(new boolean[] {true, false}, s.atStart());

        Buffer truncated = Buffer.buffer().appendInt(1000).appendBytes(new byte[10]);
        assertThrows(WireFormatException.class, () -> codec.decodeFromWire(0, truncated));
    }

    @Test
    void gradientsAreReadInPlaceAndKeepNothingOfTheFrame() {
        GradientMessage m = sampleGradient();
        WireCodec<GradientMessage> codec = WireCodec.inPlace("g", x -> x.toProto().toByteArray(),
                b -> GradientMessage.fromProto(WireCodecs.parseAliased(b, "g", GradientPush::parseFrom)));
        Buffer buf = Buffer.buffer().appendString("xyz");
        codec.encodeToWire(buf, m);
        GradientMessage back = codec.decodeFromWire(3, buf);
        // the receive buffer is reused for the next frame: what was decoded must not change
        for (int i = 3; i < buf.length(); i++) {
            buf.setByte(i, (byte) 0x7f);
        }
        assertArrayEquals(m.grad(), back.grad());
        assertArrayEquals(m.shards().getFirst().h()[1], back.shards().getFirst().h()[1]);
        assertEquals(m.loss(), back.loss());

        Buffer truncated = Buffer.buffer().appendInt(1000).appendBytes(new byte[10]);
        assertThrows(WireFormatException.class, () -> codec.decodeFromWire(0, truncated));
        Buffer garbage = Buffer.buffer().appendInt(4).appendBytes(new byte[] {(byte) 0xff, (byte) 0xff, 1, 2});
        assertThrows(WireFormatException.class, () -> codec.decodeFromWire(0, garbage));
    }

    @Test
    void weightsCarryShardGrants() {
        ShardSnapshot s = new ShardSnapshot(1, 2, 0, new float[][] {new float[4]}, new float[][] {new float[0]},
                new boolean[] {false, false});
        WeightsMessage w = new WeightsMessage(5, randomFloats(9, 1),
                List.of(new ShardGrant(s, 3, 1, new int[] {1, 2, 3, 4, 5, 6, 7})), List.of(4), false, false);
        WeightsMessage back = WeightsMessage.fromProto(WireCodecs.parse(w.toProto().toByteArray(), "w",
                recur.wire.proto.Weights::parseFrom));
        assertEquals(5, back.version());
        assertArrayEquals(w.params(), back.params());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7}, back.assign().getFirst().tokens());
        assertEquals(List.of(4), back.revoke());

        var bad = w.toProto().toBuilder();
        bad.getAssignBuilder(0).setStreamLength(4);
        WireFormatException e = assertThrows(WireFormatException.class, () -> WeightsMessage.fromProto(bad.build()));
        assertTrue(e.getMessage().contains("expected 9 tokens for 2 streams of 4, found 7"), e.getMessage());
    }

    @Test
    void localDeliveryPassesTheObjectByReference(Vertx vertx, VertxTestContext ctx) {
        WireCodecs.register(vertx);
        WireCodecs.register(vertx); // a second call is a no-op
        GradientMessage m = sampleGradient();
        vertx.eventBus().<GradientMessage>consumer("t.grad", msg -> ctx.verify(() -> {
            assertSame(m, msg.body());
            ctx.completeNow();
        })).completion().onComplete(ctx.succeeding(v -> vertx.eventBus().send("t.grad", m)));
    }

    @Test
    void protoMessagesAreCheckedForTheirFormat() {
        JoinRequest r = JoinRequest.newBuilder().setFormat(0).setAddress("a").build();
        WireCodec<JoinRequest> codec = new WireCodec<>("j", JoinRequest::toByteArray, b -> {
            JoinRequest x = WireCodecs.parse(b, "join request", JoinRequest::parseFrom);
            WireFormat.check(x.getFormat(), "join request");
            return x;
        });
        Buffer buf = Buffer.buffer();
        codec.encodeToWire(buf, r);
        WireFormatException e = assertThrows(WireFormatException.class, () -> codec.decodeFromWire(0, buf));
        assertEquals("join request: expected format 1, found 0", e.getMessage());
    }

    @Test
    void joinMessagesCheckTheirTensorLinkFields() {
        JoinRequest.Builder req = JoinRequest.newBuilder().setFormat(WireFormat.VERSION).setAddress("a");
        WireCodecs.check(req.build()); // a worker from before the field: ""
        WireCodecs.check(req.setTensorTransport("tcp").build());
        WireCodecs.check(req.setTensorTransport("tcp2").build());
        WireCodecs.check(req.setTensorTransport("bus").build());
        WireFormatException e = assertThrows(WireFormatException.class,
                () -> WireCodecs.check(req.setTensorTransport("udp").build()));
        assertEquals("join request: expected tensor transport tcp2, tcp, bus or none, found 'udp'", e.getMessage());

        JoinReply.Builder reply = JoinReply.newBuilder().setFormat(WireFormat.VERSION).setWorkerId(3);
        WireCodecs.check(reply.build()); // no link: the event bus
        WireCodecs.check(reply.setTensorHost("127.0.0.1").setTensorPort(40000).setTensorToken("t").build());
        e = assertThrows(WireFormatException.class, () -> WireCodecs.check(reply.setTensorPort(70000).build()));
        assertEquals("join reply: expected a tensor port in 0..65535, found 70000", e.getMessage());
        e = assertThrows(WireFormatException.class, () -> WireCodecs.check(reply.setTensorPort(-1).build()));
        assertEquals("join reply: expected a tensor port in 0..65535, found -1", e.getMessage());
        e = assertThrows(WireFormatException.class,
                () -> WireCodecs.check(reply.setTensorPort(40000).setTensorToken("").build()));
        assertEquals("join reply: tensor port 40000 needs a tensor host and token, found a host and no token",
                e.getMessage());
        e = assertThrows(WireFormatException.class,
                () -> WireCodecs.check(reply.setTensorPort(0).setTensorToken("").build()));
        assertEquals("join reply: expected no tensor host or token without a tensor port, found host '127.0.0.1'",
                e.getMessage());
        e = assertThrows(WireFormatException.class,
                () -> WireCodecs.check(reply.setTensorPort(0).setTensorHost("").setFormat(2).build()));
        assertEquals("join reply: expected format 1, found 2", e.getMessage());
    }

    @Test
    void tensorHellosAreValidated() {
        TensorHello ok = TensorHello.newBuilder().setFormat(WireFormat.VERSION).setWorkerId(4).setToken("abc").build();
        TensorHello back = WireCodecs.hello(ByteBuffer.wrap(ok.toByteArray()));
        assertEquals(ok, back);
        WireFormatException e = assertThrows(WireFormatException.class, () -> WireCodecs.hello(
                ByteBuffer.wrap(ok.toBuilder().setToken("").build().toByteArray())));
        assertEquals("tensor hello: expected a token, found none", e.getMessage());
        e = assertThrows(WireFormatException.class, () -> WireCodecs.hello(
                ByteBuffer.wrap(ok.toBuilder().setFormat(7).build().toByteArray())));
        assertEquals("tensor hello: expected format 1, found 7", e.getMessage());
        e = assertThrows(WireFormatException.class, () -> WireCodecs.hello(
                ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xff, 1, 2})));
        assertTrue(e.getMessage().startsWith("tensor hello: malformed protobuf"), e.getMessage());
    }

    private static GradientMessage sampleGradient() {
        ShardSnapshot s = new ShardSnapshot(3, 17, 2, new float[][] {randomFloats(6, 2), randomFloats(6, 3)},
                new float[][] {randomFloats(6, 4), randomFloats(6, 5)}, new boolean[] {true, false});
        return new GradientMessage(2, 41, randomFloats(33, 7), 64, 64, 2.5, 3.25, 0.5, 12.0, 1.0, List.of(s), null, 9);
    }
}

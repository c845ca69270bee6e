package recur.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link TensorLink}'s framing over a real socket on 127.0.0.1: frames of awkward sizes, a corrupt length. */
@ExtendWith(VertxExtension.class)
class TensorLinkFramingTest {
    private static final int[] SIZES = {0, 1, 7, 1023, 65_537, (1 << 20) + 3, 5};

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void framesArriveWholeAndInOrder(Vertx vertx, VertxTestContext ctx) {
        List<byte[]> received = new ArrayList<>();
        NetServer server = vertx.createNetServer().connectHandler(socket -> new TensorLink(socket, "client")
                .frames(view -> {
                    byte[] copy = new byte[view.remaining()];
                    view.get(copy); // a view of the link's buffer: copied out, as decoders do
                    received.add(copy);
                    if (received.size() == SIZES.length) {
                        ctx.verify(() -> {
                            for (int i = 0; i < SIZES.length; i++) {
                                assertArrayEquals(bytes(SIZES[i], i), received.get(i), "frame " + i);
                            }
                        });
                        ctx.completeNow();
                    }
                }));
        server.listen(0, "127.0.0.1").compose(s -> vertx.createNetClient().connect(s.actualPort(), "127.0.0.1"))
                .onComplete(ctx.succeeding(socket -> {
                    TensorLink link = new TensorLink(socket, "server");
                    for (int i = 0; i < SIZES.length; i++) {
                        link.send(bytes(SIZES[i], i), (frame, b) -> frame.appendInt(b.length).appendBytes(b));
                    }
                }));
    }

    @Test
    void aCorruptLengthClosesTheLinkWithOneReason(Vertx vertx, VertxTestContext ctx) {
        NetServer server = vertx.createNetServer().connectHandler(socket -> new TensorLink(socket, "worker 7")
                .frames(view -> ctx.failNow("no frame expected"))
                .closed(why -> {
                    ctx.verify(() -> assertEquals("a frame from worker 7 claims -1 bytes (expected 0.."
                            + TensorLink.MAX_FRAME + ")", why));
                    ctx.completeNow();
                }));
        server.listen(0, "127.0.0.1").compose(s -> vertx.createNetClient().connect(s.actualPort(), "127.0.0.1"))
                .onComplete(ctx.succeeding(socket -> socket.write(Buffer.buffer().appendInt(-1).appendInt(0))));
    }

    @Test
    void theOtherEndClosingIsReported(Vertx vertx, VertxTestContext ctx) {
        NetServer server = vertx.createNetServer().connectHandler(socket -> socket.close());
        server.listen(0, "127.0.0.1").compose(s -> vertx.createNetClient().connect(s.actualPort(), "127.0.0.1"))
                .onComplete(ctx.succeeding(socket -> new TensorLink(socket, "server").closed(why -> {
                    ctx.verify(() -> assertTrue(why.contains("closed"), why));
                    ctx.completeNow();
                })));
    }

    @Test
    void theServerReadsTheHelloAndClosesARefusedLink(Vertx vertx, VertxTestContext ctx) {
        List<recur.wire.proto.TensorHello> hellos = new ArrayList<>();
        TensorServer server = new TensorServer(vertx, new TensorServer.Endpoint("127.0.0.1", 0), (hello, link) -> {
            hellos.add(hello);
            return "no worker " + hello.getWorkerId() + " waits for a link with that token";
        });
        byte[] hello = recur.wire.proto.TensorHello.newBuilder().setFormat(recur.wire.WireFormat.VERSION).setWorkerId(5)
                .setToken("stale").build().toByteArray();
        server.listen().compose(v -> vertx.createNetClient().connect(server.port(), "127.0.0.1"))
                .onComplete(ctx.succeeding(socket -> new TensorLink(socket, "server")
                        .closed(why -> {
                            ctx.verify(() -> {
                                assertEquals(1, hellos.size());
                                assertEquals(5, hellos.getFirst().getWorkerId());
                                assertEquals("stale", hellos.getFirst().getToken());
                            });
                            ctx.completeNow();
                        })
                        .send(hello, (frame, b) -> frame.appendInt(b.length).appendBytes(b))));
    }

    @Test
    void framesAreTheCodecBytes() {
        // The link's frame is what the event-bus codec writes: [int32 length][protobuf bytes].
        recur.wire.WeightsMessage w = new recur.wire.WeightsMessage(3, new float[] {1f, -2f, 0.5f}, List.of(),
                List.of(), false, false);
        Buffer frame = Buffer.buffer();
        w.writeFrame(frame);
        assertEquals(frame.length() - 4, frame.getInt(0));
        recur.wire.WeightsMessage back = recur.wire.WireCodecs.weights(ByteBuffer.wrap(frame.getBytes(4, frame.length())));
        assertArrayEquals(w.params(), back.params());
        assertEquals(3, back.version());
    }
}

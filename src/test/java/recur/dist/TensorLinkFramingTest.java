package recur.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link TensorLink}'s framing over a real socket on 127.0.0.1: frames of awkward sizes, a corrupt
 * length, the other end closing, the server's hello.
 */
@ExtendWith(VertxExtension.class)
class TensorLinkFramingTest {
    private static final int[] SIZES = {0, 1, 7, 1023, 65_537, (1 << 20) + 3, 5, 4 << 20, 3};

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** A connected pair of blocking channels on loopback: [0] the accepted end, [1] the client's. */
    private static SocketChannel[] pair() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            SocketChannel client = SocketChannel.open(server.getLocalAddress());
            return new SocketChannel[] {server.accept(), client};
        }
    }

    /** Reads until the other end closes: -1, as an orderly close or a reset. */
    private static int endOf(SocketChannel end) {
        try {
            return end.read(ByteBuffer.allocate(1));
        } catch (IOException e) {
            return -1;
        }
    }

    /** Runs {@code body} on a fresh event-loop context, as a verticle's code would. */
    private static void onContext(Vertx vertx, VertxTestContext ctx, java.util.function.Consumer<Context> body) {
        Context c = vertx.getOrCreateContext();
        c.runOnContext(v -> {
            try {
                body.accept(c);
            } catch (Throwable t) {
                ctx.failNow(t);
            }
        });
    }

    @Test
    void framesArriveWholeAndInOrder(Vertx vertx, VertxTestContext ctx) throws IOException {
        SocketChannel[] p = pair();
        List<byte[]> received = new ArrayList<>();
        onContext(vertx, ctx, c -> new TensorLink(p[0], "client", c).frames(view -> {
            ctx.verify(() -> assertTrue(Context.isOnEventLoopThread(), "frames are handled on the event loop"));
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
        onContext(vertx, ctx, c -> {
            TensorLink link = new TensorLink(p[1], "server", c);
            for (int i = 0; i < SIZES.length; i++) {
                link.send(bytes(SIZES[i], i), (frame, b) -> frame.appendInt(b.length).appendBytes(b));
            }
        });
    }

    @Test
    void framesDecodedOnTheReaderAreHandledOnTheEventLoopInOrder(Vertx vertx, VertxTestContext ctx) throws IOException {
        SocketChannel[] p = pair();
        List<Integer> lengths = new ArrayList<>();
        onContext(vertx, ctx, c -> new TensorLink(p[0], "client", c).frames(view -> {
            ctx.verify(() -> assertTrue(!Context.isOnEventLoopThread(), "decoded off the event loop"));
            byte[] copy = new byte[view.remaining()];
            view.get(copy);
            return copy;
        }, copy -> {
            ctx.verify(() -> {
                assertTrue(Context.isOnEventLoopThread(), "handled on the event loop");
                assertArrayEquals(bytes(SIZES[lengths.size()], lengths.size()), copy, "frame " + lengths.size());
            });
            lengths.add(copy.length);
            if (lengths.size() == SIZES.length) {
                ctx.completeNow();
            }
        }));
        onContext(vertx, ctx, c -> {
            TensorLink link = new TensorLink(p[1], "server", c);
            for (int i = 0; i < SIZES.length; i++) {
                link.send(bytes(SIZES[i], i), (frame, b) -> frame.appendInt(b.length).appendBytes(b));
            }
        });
    }

    @Test
    void aDecoderThatThrowsClosesTheLinkWithItsMessage(Vertx vertx, VertxTestContext ctx) throws IOException {
        SocketChannel[] p = pair();
        List<String> reasons = new ArrayList<>();
        onContext(vertx, ctx, c -> new TensorLink(p[0], "client", c).<Integer>frames(view -> {
            throw new recur.wire.WireFormatException("weights: malformed protobuf (test)");
        }, x -> ctx.failNow("nothing decoded")).closed(why -> {
            reasons.add(why);
            ctx.verify(() -> assertEquals(List.of("weights: malformed protobuf (test)"), reasons));
            ctx.completeNow();
        }));
        p[1].write(ByteBuffer.allocate(7).putInt(3).put(new byte[] {1, 2, 3}).flip());
    }

    @Test
    void aSharedFrameGoesToEveryLink(Vertx vertx, VertxTestContext ctx) throws IOException {
        SocketChannel[] a = pair();
        SocketChannel[] b = pair();
        byte[] payload = bytes((1 << 20) + 11, 42);
        int versions = 5;
        List<Integer> seen = new ArrayList<>();
        onContext(vertx, ctx, c -> {
            for (SocketChannel end : new SocketChannel[] {a[0], b[0]}) {
                new TensorLink(end, "client", c).frames(view -> {
                    int version = view.get(0);
                    byte[] copy = new byte[view.remaining()];
                    view.get(copy);
                    copy[0] = payload[0];
                    ctx.verify(() -> assertArrayEquals(payload, copy, "version " + version));
                    seen.add(version);
                    if (seen.size() == 2 * versions) {
                        ctx.verify(() -> assertEquals(List.of(0, 0, 1, 1, 2, 2, 3, 3, 4, 4),
                                seen.stream().sorted().toList()));
                        ctx.completeNow();
                    }
                });
            }
        });
        onContext(vertx, ctx, c -> {
            TensorLink la = new TensorLink(a[1], "server", c);
            TensorLink lb = new TensorLink(b[1], "server", c);
            TensorLink.Shared shared = new TensorLink.Shared();
            for (int v = 0; v < versions; v++) {
                byte[] m = payload.clone();
                m[0] = (byte) v;
                shared.of(m, (frame, x) -> frame.appendInt(x.length).appendBytes(x)); // a new message: rewritten
                la.send(shared);
                lb.send(shared.of(m, (frame, x) -> ctx.failNow("the same message is written once")));
            }
            shared.release();
        });
    }

    @Test
    void aCorruptLengthClosesTheLinkWithOneReason(Vertx vertx, VertxTestContext ctx) throws IOException {
        SocketChannel[] p = pair();
        List<String> reasons = new ArrayList<>();
        onContext(vertx, ctx, c -> new TensorLink(p[0], "worker 7", c)
                .frames(view -> ctx.failNow("no frame expected"))
                .closed(why -> {
                    reasons.add(why);
                    ctx.verify(() -> assertEquals(List.of("a frame from worker 7 claims -1 bytes (expected 0.."
                            + TensorLink.MAX_FRAME + ")"), reasons));
                    // the other end sees the connection close (reset: it sent bytes that were not read)
                    vertx.executeBlocking(() -> endOf(p[1])).onComplete(ctx.succeeding(n -> {
                        ctx.verify(() -> assertEquals(-1, n));
                        ctx.completeNow();
                    }));
                }));
        p[1].write(ByteBuffer.allocate(8).putInt(-1).putInt(0).flip());
    }

    @Test
    void theOtherEndClosingIsReported(Vertx vertx, VertxTestContext ctx) throws IOException {
        SocketChannel[] p = pair();
        onContext(vertx, ctx, c -> new TensorLink(p[1], "server", c).closed(why -> {
            ctx.verify(() -> assertTrue(why.contains("closed"), why));
            ctx.completeNow();
        }));
        p[0].close();
    }

    @Test
    void closingReportsTheReasonOnceAndStopsTheThreads(Vertx vertx, VertxTestContext ctx) throws IOException {
        SocketChannel[] p = pair();
        List<String> reasons = new ArrayList<>();
        onContext(vertx, ctx, c -> {
            TensorLink link = new TensorLink(p[1], "server", c).closed(reasons::add);
            link.close("done here");
            link.close("a second close is no news");
            link.send(new byte[3], (frame, b) -> ctx.failNow("nothing is written on a closed link"));
            c.runOnContext(v -> c.runOnContext(w -> {
                ctx.verify(() -> {
                    assertEquals(List.of("done here"), reasons);
                    assertTrue(!link.open());
                });
                vertx.executeBlocking(() -> {
                    for (Thread t : Thread.getAllStackTraces().keySet()) {
                        if (t.getName().startsWith("recur-link-") && t.getName().endsWith(
                                ":" + p[0].socket().getLocalPort())) {
                            t.join();
                        }
                    }
                    return endOf(p[0]);
                }).onComplete(ctx.succeeding(n -> {
                    ctx.verify(() -> assertEquals(-1, n, "the other end sees the close"));
                    ctx.completeNow();
                }));
            }));
        });
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
        onContext(vertx, ctx, c -> server.listen().compose(v -> vertx.executeBlocking(
                        () -> SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()))))
                .onComplete(ctx.succeeding(socket -> new TensorLink(socket, "server", c)
                        .closed(why -> {
                            ctx.verify(() -> {
                                assertEquals(1, hellos.size());
                                assertEquals(5, hellos.getFirst().getWorkerId());
                                assertEquals("stale", hellos.getFirst().getToken());
                                assertTrue(why.contains("closed"), why);
                            });
                            server.close().onComplete(ctx.succeedingThenComplete());
                        })
                        .send(hello, (frame, b) -> frame.appendInt(b.length).appendBytes(b)))));
    }

    @Test
    void aTakenPortFailsWithABindException(Vertx vertx, VertxTestContext ctx) {
        TensorServer first = new TensorServer(vertx, new TensorServer.Endpoint("127.0.0.1", 0), (h, l) -> null);
        onContext(vertx, ctx, c -> first.listen().compose(v -> new TensorServer(vertx,
                        new TensorServer.Endpoint("127.0.0.1", first.port()), (h, l) -> null).listen())
                .onComplete(ar -> {
                    ctx.verify(() -> assertTrue(ar.cause() instanceof java.net.BindException, String.valueOf(ar.cause())));
                    first.close().onComplete(ctx.succeedingThenComplete());
                }));
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

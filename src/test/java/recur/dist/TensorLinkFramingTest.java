package recur.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import recur.wire.Incoming;
import recur.wire.LinkMessage;
import recur.wire.RawTensor;

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

    /** A frame of just a protobuf part: {@code b}. */
    private static LinkMessage proto(byte[] b) {
        return frame -> {
            frame.appendBytes(b);
            return RawTensor.NONE;
        };
    }

    /** A protobuf part {@code [bf16 ? 1 : 0, seed]} followed by {@code v}'s values. */
    private static LinkMessage withValues(float[] v, boolean bf16, int seed) {
        return frame -> {
            frame.appendByte((byte) (bf16 ? 1 : 0)).appendByte((byte) seed);
            return new RawTensor(v, v.length, bf16);
        };
    }

    /** Seeded values; bf16 values (the low 16 bits zero) when {@code bf16}. */
    private static float[] values(int n, long seed, boolean bf16) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            float x = (float) r.nextGaussian();
            v[i] = bf16 ? Float.intBitsToFloat(Float.floatToRawIntBits(x) & 0xffff0000) : x;
        }
        return v;
    }

    /** Completes the test once every send has run its completion (the writer runs it after the last byte). */
    private static void completeOnceWritten(Vertx vertx, VertxTestContext ctx, CountDownLatch written) {
        vertx.executeBlocking(() -> written.await(10, TimeUnit.SECONDS)).onComplete(ctx.succeeding(all -> {
            ctx.verify(() -> assertTrue(all, written.getCount() + " sends never completed"));
            ctx.completeNow();
        }));
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
                link.send(proto(bytes(SIZES[i], i)), () -> { });
            }
        });
    }

    /** Value counts around the chunk size: a read or a write may split a value anywhere. */
    private static final int[] VALUES = {0, 1, 3, TensorLink.CHUNK / 4 - 1, TensorLink.CHUNK / 4, TensorLink.CHUNK / 2 + 1,
        350_017, 7, (1 << 20) + 5};

    @Test
    void valuesArriveBitExactInFloat32AndBf16(Vertx vertx, VertxTestContext ctx) throws IOException {
        SocketChannel[] q = pair();
        int frames = 2 * VALUES.length;
        List<Integer> seen = new ArrayList<>();
        CountDownLatch written = new CountDownLatch(frames);
        onContext(vertx, ctx, c -> {
            new TensorLink(q[0], "client", c).<float[]>frames((proto, raw) -> {
                ctx.verify(() -> assertTrue(!Context.isOnEventLoopThread(), "decoded off the event loop"));
                boolean bf16 = proto.get(0) == 1;
                int n = (int) (raw / (bf16 ? 2 : 4));
                float[] into = new float[n];
                return new Incoming<>(new RawTensor(into, n, bf16), into);
            }, got -> {
                int i = seen.size();
                boolean bf16 = i % 2 == 1;
                ctx.verify(() -> {
                    assertTrue(Context.isOnEventLoopThread(), "handled on the event loop");
                    assertArrayEquals(values(VALUES[i / 2], i, bf16), got, "frame " + i);
                });
                seen.add(i);
                if (seen.size() == frames) {
                    completeOnceWritten(vertx, ctx, written);
                }
            });
        });
        onContext(vertx, ctx, c -> {
            TensorLink link = new TensorLink(q[1], "server", c);
            for (int i = 0; i < frames; i++) {
                link.send(withValues(values(VALUES[i / 2], i, i % 2 == 1), i % 2 == 1, i), written::countDown);
            }
        });
    }

    @Test
    void aFrameWrittenWithNothingQueuedGoesOutOnTheCallersThread(Vertx vertx, VertxTestContext ctx) throws IOException {
        SocketChannel[] q = pair();
        float[] sent = values(350_017, 5, false);
        onContext(vertx, ctx, c -> new TensorLink(q[0], "client", c).<float[]>frames((proto, raw) -> {
            float[] into = new float[(int) (raw / 4)];
            return new Incoming<>(new RawTensor(into, into.length, false), into);
        }, got -> {
            ctx.verify(() -> assertArrayEquals(sent, got));
            ctx.completeNow();
        }));
        onContext(vertx, ctx, c -> {
            TensorLink link = new TensorLink(q[1], "server", c);
            Thread caller = Thread.currentThread();
            Thread[] ranOn = new Thread[1];
            link.write(withValues(sent, false, 0), () -> ranOn[0] = Thread.currentThread());
            assertEquals(caller, ranOn[0], "written, and its completion run, before write returned");
        });
    }

    @Test
    void framesWrittenAndQueuedFromTwoThreadsArriveWholeAndInEachThreadsOrder(Vertx vertx, VertxTestContext ctx)
            throws IOException {
        SocketChannel[] q = pair();
        int each = 40;
        List<int[]> seen = new ArrayList<>(); // [thread, index]
        CountDownLatch written = new CountDownLatch(2 * each);
        onContext(vertx, ctx, c -> new TensorLink(q[0], "client", c).<float[]>frames((proto, raw) -> {
            float[] into = new float[(int) (raw / 4)];
            return new Incoming<>(new RawTensor(into, into.length, false), into);
        }, got -> {
            int thread = (int) got[0];
            int index = (int) got[1];
            ctx.verify(() -> assertArrayEquals(frameValues(thread, index), got, "thread " + thread + " frame " + index));
            seen.add(new int[] {thread, index});
            if (seen.size() == 2 * each) {
                ctx.verify(() -> {
                    int[] next = new int[2];
                    for (int[] f : seen) {
                        assertEquals(next[f[0]]++, f[1], "thread " + f[0] + "'s frames out of order");
                    }
                });
                completeOnceWritten(vertx, ctx, written);
            }
        }));
        onContext(vertx, ctx, c -> {
            TensorLink link = new TensorLink(q[1], "server", c);
            Thread inline = new Thread(() -> { // queues and writes by turns: a write must not pass its own queued frame
                for (int i = 0; i < each; i++) {
                    if (i % 2 == 0) {
                        link.send(indexed(0, i), written::countDown);
                    } else {
                        link.write(indexed(0, i), written::countDown);
                    }
                }
            });
            inline.start();
            for (int i = 0; i < each; i++) { // queued for the writer thread meanwhile
                link.send(indexed(1, i), written::countDown);
            }
        });
    }

    /** Frame {@code index} of sender {@code thread}: values that start with both, sizes from 2 to ~1.1 MB. */
    private static float[] frameValues(int thread, int index) {
        float[] v = values(2 + (index * 7919 + thread * 104_729) % 280_000, 100L * thread + index, false);
        v[0] = thread;
        v[1] = index;
        return v;
    }

    private static LinkMessage indexed(int thread, int index) {
        float[] v = frameValues(thread, index);
        return frame -> {
            frame.appendByte((byte) thread).appendByte((byte) index);
            return new RawTensor(v, v.length, false);
        };
    }

    /** A channel that returns {@code bytes} a few at a time (1 to 7 bytes a read, seeded), as a socket may. */
    private static java.nio.channels.ReadableByteChannel dribble(byte[] bytes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        ByteBuffer src = ByteBuffer.wrap(bytes);
        return new java.nio.channels.ReadableByteChannel() {
            @Override
            public int read(ByteBuffer dst) {
                if (!src.hasRemaining()) {
                    return -1;
                }
                int n = Math.min(Math.min(dst.remaining(), src.remaining()), 1 + r.nextInt(7));
                dst.put(src.slice(src.position(), n));
                src.position(src.position() + n);
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void valuesSplitBetweenReadsAreReassembled() throws IOException {
        for (boolean bf16 : new boolean[] {false, true}) {
            float[] sent = values(1_000, 3, bf16);
            ByteBuffer wire = ByteBuffer.allocate(sent.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (float x : sent) {
                if (bf16) {
                    wire.putShort((short) (Float.floatToRawIntBits(x) >>> 16));
                } else {
                    wire.putFloat(x);
                }
            }
            byte[] bytes = java.util.Arrays.copyOf(wire.array(), wire.position());
            ByteBuffer chunk = ByteBuffer.allocateDirect(64).order(java.nio.ByteOrder.LITTLE_ENDIAN); // many chunks
            float[] got = new float[sent.length];
            assertTrue(TensorLink.readValues(dribble(bytes, 5), chunk, chunk.asFloatBuffer(),
                    java.lang.foreign.MemorySegment.ofBuffer(chunk), new RawTensor(got, got.length, bf16)));
            assertArrayEquals(sent, got, bf16 ? "bf16" : "f32");
            float[] more = new float[sent.length + 1];
            assertTrue(!TensorLink.readValues(dribble(bytes, 6), chunk, chunk.asFloatBuffer(),
                    java.lang.foreign.MemorySegment.ofBuffer(chunk), new RawTensor(more, more.length, bf16)), "the stream ends before the last value");
        }
    }

    @Test
    void framesDecodedOnTheReaderAreHandledOnTheEventLoopInOrder(Vertx vertx, VertxTestContext ctx) throws IOException {
        SocketChannel[] p = pair();
        List<Integer> lengths = new ArrayList<>();
        onContext(vertx, ctx, c -> new TensorLink(p[0], "client", c).<byte[]>frames((view, raw) -> {
            ctx.verify(() -> {
                assertTrue(!Context.isOnEventLoopThread(), "decoded off the event loop");
                assertEquals(0, raw);
            });
            byte[] copy = new byte[view.remaining()];
            view.get(copy);
            return Incoming.of(copy);
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
                link.send(proto(bytes(SIZES[i], i)), () -> { });
            }
        });
    }

    @Test
    void aDecoderThatThrowsClosesTheLinkWithItsMessage(Vertx vertx, VertxTestContext ctx) throws IOException {
        SocketChannel[] p = pair();
        List<String> reasons = new ArrayList<>();
        onContext(vertx, ctx, c -> new TensorLink(p[0], "client", c).<Integer>frames((view, raw) -> {
            throw new recur.wire.WireFormatException("weights: malformed protobuf (test)");
        }, x -> ctx.failNow("nothing decoded")).closed(why -> {
            reasons.add(why);
            ctx.verify(() -> assertEquals(List.of("weights: malformed protobuf (test)"), reasons));
            ctx.completeNow();
        }));
        p[1].write(ByteBuffer.allocate(11).putInt(7).putInt(3).put(new byte[] {1, 2, 3}).flip());
    }

    @Test
    void aSharedFrameGoesToEveryLink(Vertx vertx, VertxTestContext ctx) throws IOException {
        SocketChannel[] a = pair();
        SocketChannel[] b = pair();
        int versions = 5;
        List<Integer> seen = new ArrayList<>();
        CountDownLatch written = new CountDownLatch(2 * versions);
        onContext(vertx, ctx, c -> {
            for (SocketChannel end : new SocketChannel[] {a[0], b[0]}) {
                new TensorLink(end, "client", c).<float[]>frames((proto, raw) -> {
                    float[] into = new float[(int) (raw / 4)];
                    return new Incoming<>(new RawTensor(into, into.length, false), into);
                }, got -> {
                    int version = (int) got[0];
                    float[] expected = values((1 << 18) + 11, 42, false);
                    expected[0] = version;
                    ctx.verify(() -> assertArrayEquals(expected, got, "version " + version));
                    seen.add(version);
                    if (seen.size() == 2 * versions) {
                        ctx.verify(() -> assertEquals(List.of(0, 0, 1, 1, 2, 2, 3, 3, 4, 4),
                                seen.stream().sorted().toList()));
                        completeOnceWritten(vertx, ctx, written);
                    }
                });
            }
        });
        onContext(vertx, ctx, c -> {
            TensorLink la = new TensorLink(a[1], "server", c);
            TensorLink lb = new TensorLink(b[1], "server", c);
            TensorLink.Shared shared = new TensorLink.Shared();
            for (int v = 0; v < versions; v++) {
                float[] m = values((1 << 18) + 11, 42, false);
                m[0] = v;
                LinkMessage message = withValues(m, false, v);
                shared.of(message); // a new message: written
                la.send(shared, written::countDown);
                lb.send(shared.of(message), written::countDown); // the same message: written once
            }
            shared.release();
        });
    }

    @Test
    void aSharedFrameIsWrittenOncePerMessage() {
        TensorLink.Shared shared = new TensorLink.Shared();
        int[] writes = {0};
        LinkMessage m = frame -> {
            writes[0]++;
            frame.appendByte((byte) 1);
            return RawTensor.NONE;
        };
        shared.of(m);
        shared.of(m);
        assertEquals(1, writes[0]);
        shared.of(proto(new byte[] {2}));
        shared.of(m);
        assertEquals(2, writes[0], "a different message in between: written again");
        shared.release();
    }

    @Test
    void aCorruptLengthClosesTheLinkWithOneReason(Vertx vertx, VertxTestContext ctx) throws IOException {
        SocketChannel[] p = pair();
        List<String> reasons = new ArrayList<>();
        onContext(vertx, ctx, c -> new TensorLink(p[0], "worker 7", c)
                .frames(view -> ctx.failNow("no frame expected"))
                .closed(why -> {
                    reasons.add(why);
                    ctx.verify(() -> assertEquals(List.of("a frame from worker 7 claims -1 bytes (expected 4.."
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
    void aCorruptProtobufLengthClosesTheLinkWithOneReason(Vertx vertx, VertxTestContext ctx) throws IOException {
        SocketChannel[] p = pair();
        closesWith(vertx, ctx, p[0], "worker 7",
                "a frame from worker 7 of 10 bytes claims a protobuf part of 7 bytes (expected 0..6)");
        p[1].write(ByteBuffer.allocate(14).putInt(10).putInt(7).put(new byte[6]).flip());
    }

    @Test
    void valuesWhereNoneAreExpectedCloseTheLink(Vertx vertx, VertxTestContext ctx) throws IOException {
        SocketChannel[] p = pair();
        closesWith(vertx, ctx, p[0], "a worker", "a frame from a worker carries 8 bytes of values where none are expected");
        onContext(vertx, ctx, c -> new TensorLink(p[1], "server", c).send(withValues(new float[2], false, 0), () -> { }));
    }

    /** A link on {@code channel} that must deliver no frame and close for exactly {@code reason}. */
    private static void closesWith(Vertx vertx, VertxTestContext ctx, SocketChannel channel, String peer, String reason) {
        onContext(vertx, ctx, c -> new TensorLink(channel, peer, c)
                .frames(view -> ctx.failNow("no frame expected"))
                .closed(why -> {
                    ctx.verify(() -> assertEquals(reason, why));
                    ctx.completeNow();
                }));
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
            int[] done = {0};
            link.send(frame -> {
                ctx.failNow("nothing is written on a closed link");
                return RawTensor.NONE;
            }, () -> done[0]++);
            ctx.verify(() -> assertEquals(1, done[0], "a send on a closed link is done at once"));
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
                        .send(proto(hello), () -> { }))));
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
    void readingWeightsCopiesThemOnceIntoAPooledArrayAndAllocatesLittle(Vertx vertx, VertxTestContext ctx)
            throws IOException {
        // A frame once cost its reader a 1.4 MB array (protobuf copied the tensor's bytes): now the values go
        // from the socket into the pooled array, and the rest of a message is small.
        SocketChannel[] p = pair();
        int messages = 60;
        int warm = 20;
        float[] params = values(350_000, 11, false);
        recur.wire.ArrayPool pool = new recur.wire.ArrayPool(2);
        long[] allocated = new long[messages];
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        TensorLink[] sender = new TensorLink[1];
        Context[] senderContext = new Context[1];
        int[] received = {0};
        onContext(vertx, ctx, c -> new TensorLink(p[0], "server", c).frames((proto, raw) -> {
            allocated[received[0]] = threads.getCurrentThreadAllocatedBytes(); // on the reader thread
            return recur.wire.WireCodecs.weightsFromLink(proto, raw, pool);
        }, m -> {
            int k = received[0]++;
            ctx.verify(() -> {
                assertEquals(k, m.version());
                assertArrayEquals(params, m.params());
            });
            m.release(); // the array back to the pool, as a worker does once it has computed
            if (received[0] < messages) {
                senderContext[0].runOnContext(v -> sender[0].send(
                        new recur.wire.WeightsMessage(k + 1, params, List.of(), List.of(), false, false), () -> { }));
            } else {
                long perMessage = (allocated[messages - 1] - allocated[warm]) / (messages - 1 - warm);
                ctx.verify(() -> {
                    assertTrue(perMessage < 4_096, perMessage + " bytes allocated a message on the reader");
                    assertEquals(1, pool.made(), "one array, reused");
                });
                ctx.completeNow();
            }
        }));
        onContext(vertx, ctx, c -> {
            senderContext[0] = c;
            sender[0] = new TensorLink(p[1], "worker", c);
            sender[0].send(new recur.wire.WeightsMessage(0, params, List.of(), List.of(), false, false), () -> { });
        });
    }

    @Test
    void weightsAndPushesSentOnALinkArriveAsSent(Vertx vertx, VertxTestContext ctx) throws IOException {
        SocketChannel[] p = pair();
        float[] params = values(100_003, 7, false);
        float[] bf16 = values(5_001, 8, true);
        recur.wire.WeightsMessage w = new recur.wire.WeightsMessage(3, params, List.of(), List.of(4), false, false);
        recur.wire.WeightsMessage wb = new recur.wire.WeightsMessage(4, bf16, List.of(), List.of(), false, false);
        recur.wire.WeightsMessage stop = new recur.wire.WeightsMessage(5, null, List.of(), List.of(), true, false);
        List<recur.wire.WeightsMessage> got = new ArrayList<>();
        recur.wire.ArrayPool pool = new recur.wire.ArrayPool(2);
        onContext(vertx, ctx, c -> new TensorLink(p[0], "server", c).frames(
                (proto, raw) -> recur.wire.WireCodecs.weightsFromLink(proto, raw, pool), m -> {
                    got.add(m);
                    if (got.size() == 3) {
                        ctx.verify(() -> {
                            assertEquals(3, got.get(0).version());
                            assertArrayEquals(params, got.get(0).params());
                            assertEquals(List.of(4), got.get(0).revoke());
                            assertArrayEquals(bf16, got.get(1).params());
                            assertTrue(got.get(2).stop());
                            assertEquals(null, got.get(2).params());
                        });
                        ctx.completeNow();
                    }
                }));
        onContext(vertx, ctx, c -> {
            TensorLink link = new TensorLink(p[1], "worker", c);
            link.send(w, () -> { });
            link.send(wb, () -> { });
            link.send(stop, () -> { });
        });
    }
}

package recur.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import recur.wire.proto.GradientPush;

/**
 * A push's link frame is written by hand ({@link PushLinkWriter}): the bytes must be exactly
 * protobuf's for the same message, whatever its fields and shard states hold, and writing it must not
 * make garbage (protobuf's way made two 32 KB arrays a window at charlm, and builders).
 */
class PushLinkWriterTest {

    private static float[] floats(int n, SplittableRandom r) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
        }
        return a;
    }

    /** A shard's state: {@code layers} of (streams, hidden) h, and c the same (LSTM) or empty (GRU, RNN). */
    private static ShardSnapshot state(int shard, int position, long epoch, int layers, int streams, int hidden,
                                       boolean lstm, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] h = new float[layers][];
        float[][] c = new float[layers][];
        for (int l = 0; l < layers; l++) {
            h[l] = floats(streams * hidden, r);
            c[l] = lstm ? floats(streams * hidden, r) : new float[0];
        }
        boolean[] atStart = new boolean[streams];
        for (int b = 0; b < streams; b++) {
            atStart[b] = r.nextBoolean();
        }
        return new ShardSnapshot(shard, position, epoch, h, c, atStart);
    }

    private static GradientMessage push(float[] grad, List<ShardSnapshot> shards, long seq) {
        return new GradientMessage(1, 7, grad, 2048, 2048, 1.5, 0.7, 1.0, 27.0, 1.0, shards, null, seq);
    }

    @Test
    void everyScalarFieldIsWrittenAsProtobufWritesIt() {
        double[] doubles = {0.0, -0.0, 1.5, -3.25e-7, Double.NaN, Double.POSITIVE_INFINITY, Double.MIN_VALUE};
        int[] ints = {0, 1, 127, 128, 300, Integer.MAX_VALUE, -1};
        long[] longs = {0, 1, 127, 128, 1L << 35, Long.MAX_VALUE, -5};
        SplittableRandom r = new SplittableRandom(13);
        for (int i = 0; i < 200; i++) {
            GradientMessage m = new GradientMessage(ints[r.nextInt(ints.length)], longs[r.nextInt(longs.length)],
                    floats(r.nextInt(3) * 50, r), longs[r.nextInt(longs.length)], longs[r.nextInt(longs.length)],
                    doubles[r.nextInt(doubles.length)], doubles[r.nextInt(doubles.length)],
                    doubles[r.nextInt(doubles.length)], doubles[r.nextInt(doubles.length)],
                    doubles[r.nextInt(doubles.length)], List.of(), null, longs[r.nextInt(longs.length)]);
            Buffer frame = Buffer.buffer();
            m.writeLinkProto(frame);
            assertArrayEquals(protobufs(m), frame.getBytes(), "case " + i);
        }
    }

    /** Protobuf's own bytes for the link's protobuf part: the whole push with the gradient's data left out. */
    private static byte[] protobufs(GradientMessage m) {
        GradientPush whole = m.toProto();
        return whole.toBuilder().setGrad(whole.getGrad().toBuilder().clearData()).build().toByteArray();
    }

    @Test
    void theLinkPartIsProtobufsBytesForEveryKindOfState() {
        List<List<ShardSnapshot>> cases = new ArrayList<>();
        cases.add(List.of());
        cases.add(List.of(state(0, 0, 0, 1, 32, 256, true, 1)));                 // defaults left out, charlm's size
        cases.add(List.of(state(3, 1_000_000, 1L << 40, 2, 4, 9, true, 2)));      // long varints, two layers
        cases.add(List.of(state(1, 5, 2, 1, 3, 5, false, 3), state(200, 7, 0, 3, 2, 130, false, 4))); // GRU: c empty
        cases.add(List.of(state(2, 1, 1, 1, 0, 0, true, 5)));                     // no streams at all
        for (List<ShardSnapshot> shards : cases) {
            for (long seq : new long[] {0, 1, 300, Long.MAX_VALUE}) {
                for (float[] grad : List.of(floats(100, new SplittableRandom(9)), Bf16.rounded(floats(40,
                        new SplittableRandom(10))), new float[0])) {
                    GradientMessage m = push(grad, shards, seq);
                    Buffer frame = Buffer.buffer();
                    m.writeLinkProto(frame);
                    assertArrayEquals(protobufs(m), frame.getBytes(), shards.size() + " shards, seq " + seq);
                }
            }
        }
    }

    /**
     * The link writes a push into its own direct buffer after the frame's two ints
     * ({@link GradientMessage#writeLinkProto(ByteBuf)}): the same bytes as through a Buffer, whether
     * the buffer is direct, heap (the Buffer path then), or too small at first (it grows).
     */
    @Test
    void theLinkPartInADirectBufferIsTheSameBytes() {
        List<List<ShardSnapshot>> cases = List.of(List.of(), List.of(state(0, 0, 0, 1, 32, 256, true, 1)),
                List.of(state(1, 5, 2, 1, 3, 5, false, 3), state(200, 7, 0, 3, 2, 130, false, 4)));
        for (List<ShardSnapshot> shards : cases) {
            for (float[] grad : List.of(floats(100, new SplittableRandom(9)), Bf16.rounded(floats(40,
                    new SplittableRandom(10))), new float[0])) {
                GradientMessage m = push(grad, shards, 300);
                byte[] expected = protobufs(m);
                for (ByteBuf out : List.of(Unpooled.directBuffer(16), Unpooled.directBuffer(1 << 20),
                        Unpooled.buffer(16))) {
                    out.writeLong(-1); // the frame's length and P, written before the part
                    RawTensor raw = m.writeLinkProto(out);
                    byte[] written = new byte[out.readableBytes() - Long.BYTES];
                    out.getBytes(Long.BYTES, written);
                    assertArrayEquals(expected, written, shards.size() + " shards, " + out);
                    assertTrue(out.getLong(0) == -1 && raw.count() == grad.length, "the ints before the part are kept");
                    out.release();
                }
            }
        }
    }

    @Test
    void writingAPushAtCharlmSizeMakesNoStateSizedGarbage() {
        GradientMessage m = push(floats(350_593, new SplittableRandom(11)), List.of(state(0, 12, 1, 1, 32, 256, true, 12)),
                5);
        ByteBuf out = Unpooled.directBuffer(1 << 20);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 20_000; round++) { // warm: the JIT takes out what escape analysis can
            long before = mx.getCurrentThreadAllocatedBytes();
            out.clear().writeLong(0);
            m.writeLinkProto(BufferInternal.buffer(out));
            least = Math.min(least, mx.getCurrentThreadAllocatedBytes() - before);
        }
        long leastDirect = Long.MAX_VALUE;
        for (int round = 0; round < 20_000; round++) { // the link's path: into the buffer's own memory
            long before = mx.getCurrentThreadAllocatedBytes();
            out.clear().writeLong(0);
            m.writeLinkProto(out);
            leastDirect = Math.min(leastDirect, mx.getCurrentThreadAllocatedBytes() - before);
        }
        out.release();
        // Protobuf's way allocated the state again (64 KB of floats as two byte arrays) and the builders:
        // ~66 KB a push. What is left through a Buffer is small views and wrappers (the frame's ByteBuffer
        // view, the floats' views, two lambdas), measured at 0.9-1.1 KB a push; straight into the link's
        // direct buffer, the floats' views and the values' RawTensor.
        assertTrue(least < 2048, "bytes allocated writing one push through a Buffer: " + least);
        assertTrue(leastDirect < least, "into the direct buffer " + leastDirect + " bytes, through a Buffer " + least);
        System.out.println("one push's protobuf part: " + least + " bytes of garbage through a Buffer, " + leastDirect
                + " into the link's direct buffer");
    }
}

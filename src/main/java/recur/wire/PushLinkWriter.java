package recur.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import recur.wire.proto.GradientPush;
import recur.wire.proto.ShardState;
import recur.wire.proto.Tensor;

/**
 * Writes a gradient push's tensor-link protobuf part ({@link GradientMessage#writeLinkProto}) by
 * hand, straight from the message's fields and its shard states' arrays, without building protobuf
 * messages: those cost two fresh 32 KB arrays a window at {@code charlm} (each (B, H) state copied
 * into a byte array) and a few builders, nearly all of a cluster worker's garbage. The bytes are
 * exactly those protobuf writes for the same {@link GradientPush} with the gradient's values left out
 * (fields in number order, proto3 defaults left out, packed repeated scalars); the tests compare them
 * byte for byte.
 */
final class PushLinkWriter {
    private PushLinkWriter() {}

    private static final int FORMAT_TAG = GradientPush.FORMAT_FIELD_NUMBER << 3;
    private static final int WORKER_TAG = GradientPush.WORKER_ID_FIELD_NUMBER << 3;
    private static final int VERSION_TAG = GradientPush.WEIGHT_VERSION_FIELD_NUMBER << 3;
    private static final int GRAD_TAG = GradientPush.GRAD_FIELD_NUMBER << 3 | 2;
    private static final int TOKENS_TAG = GradientPush.TOKENS_FIELD_NUMBER << 3;
    private static final int LOSS_COUNT_TAG = GradientPush.LOSS_COUNT_FIELD_NUMBER << 3;
    private static final int LOSS_TAG = GradientPush.LOSS_FIELD_NUMBER << 3 | 1;
    private static final int NORM_TAG = GradientPush.NORM_FIELD_NUMBER << 3 | 1;
    private static final int CLIP_RATIO_TAG = GradientPush.CLIP_RATIO_FIELD_NUMBER << 3 | 1;
    private static final int COMPUTE_TAG = GradientPush.COMPUTE_MS_FIELD_NUMBER << 3 | 1;
    private static final int IDLE_TAG = GradientPush.IDLE_MS_FIELD_NUMBER << 3 | 1;
    private static final int DTYPE_TAG = Tensor.DTYPE_FIELD_NUMBER << 3 | 2;
    private static final byte[] BF16 = Tensors.BF16.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int SHARDS_TAG = GradientPush.SHARDS_FIELD_NUMBER << 3 | 2;
    private static final int SEQ_TAG = GradientPush.SEQ_FIELD_NUMBER << 3;
    private static final int SHARD_TAG = ShardState.SHARD_FIELD_NUMBER << 3;
    private static final int POSITION_TAG = ShardState.POSITION_FIELD_NUMBER << 3;
    private static final int EPOCH_TAG = ShardState.EPOCH_FIELD_NUMBER << 3;
    private static final int H_TAG = ShardState.H_FIELD_NUMBER << 3 | 2;
    private static final int C_TAG = ShardState.C_FIELD_NUMBER << 3 | 2;
    private static final int AT_START_TAG = ShardState.AT_START_FIELD_NUMBER << 3 | 2;
    private static final int SHAPE_TAG = Tensor.SHAPE_FIELD_NUMBER << 3 | 2;
    private static final int DATA_TAG = Tensor.DATA_FIELD_NUMBER << 3 | 2;

    /** Bytes {@link #write} writes for {@code m}, whose gradient goes out as {@code raw}. */
    static int size(GradientMessage m, RawTensor raw) {
        int size = longField(WireFormat.VERSION) + longField(m.workerId()) + longField(m.weightVersion());
        int t = gradSize(raw);
        size += 1 + varintSize(t) + t;
        size += longField(m.tokens()) + longField(m.lossCount()) + doubleField(m.loss()) + doubleField(m.norm())
                + doubleField(m.clipRatio()) + doubleField(m.computeMs()) + doubleField(m.idleMs());
        return Math.addExact(size, shardsSize(m.shards(), m.seq()));
    }

    /** Writes {@code m}'s protobuf part at {@code out}'s position (advancing it): {@link #size} bytes. */
    static void write(ByteBuffer out, GradientMessage m, RawTensor raw) {
        putLongField(out, FORMAT_TAG, WireFormat.VERSION);
        putLongField(out, WORKER_TAG, m.workerId());
        putLongField(out, VERSION_TAG, m.weightVersion());
        putVarint(out, GRAD_TAG);
        putVarint(out, gradSize(raw));
        putVarint(out, SHAPE_TAG);
        putVarint(out, varintSize(raw.count()));
        putVarint(out, raw.count());
        if (raw.bf16()) {
            putVarint(out, DTYPE_TAG);
            putVarint(out, BF16.length);
            out.put(BF16);
        }
        putLongField(out, TOKENS_TAG, m.tokens());
        putLongField(out, LOSS_COUNT_TAG, m.lossCount());
        putDoubleField(out, LOSS_TAG, m.loss());
        putDoubleField(out, NORM_TAG, m.norm());
        putDoubleField(out, CLIP_RATIO_TAG, m.clipRatio());
        putDoubleField(out, COMPUTE_TAG, m.computeMs());
        putDoubleField(out, IDLE_TAG, m.idleMs());
        writeShards(out, m.shards(), m.seq());
    }

    /** The gradient's tensor without its values: shape [count] (packed), dtype "bf16" or left out. */
    private static int gradSize(RawTensor raw) {
        int shape = varintSize(raw.count());
        return 1 + varintSize(shape) + shape + (raw.bf16() ? 1 + varintSize(BF16.length) + BF16.length : 0);
    }

    /** An int32 or int64 field: left out when 0; an int widened to long encodes as protobuf's int32 does. */
    private static int longField(long v) {
        return v == 0 ? 0 : 1 + varintSize(v);
    }

    /** A proto3 double: left out only when its bits are all zero (-0.0 and NaN are written). */
    private static int doubleField(double v) {
        return Double.doubleToRawLongBits(v) == 0 ? 0 : 1 + Double.BYTES;
    }

    private static void putLongField(ByteBuffer out, int tag, long v) {
        if (v != 0) {
            putVarint(out, tag);
            putVarint(out, v);
        }
    }

    private static void putDoubleField(ByteBuffer out, int tag, double v) {
        long bits = Double.doubleToRawLongBits(v);
        if (bits != 0) {
            putVarint(out, tag);
            ByteOrder order = out.order();
            out.order(ByteOrder.LITTLE_ENDIAN).putLong(bits).order(order);
        }
    }

    /** Bytes {@link #writeShards} writes for these shards and {@code seq}. */
    private static int shardsSize(List<ShardSnapshot> shards, long seq) {
        int size = seq == 0 ? 0 : 1 + varintSize(seq);
        for (int i = 0; i < shards.size(); i++) { // by index: no iterator a round
            int s = stateSize(shards.get(i));
            size = Math.addExact(size, 1 + varintSize(s) + s);
        }
        return size;
    }

    /** Writes the shards (field 12) and {@code seq} (field 13) at {@code out}'s position, advancing it. */
    private static void writeShards(ByteBuffer out, List<ShardSnapshot> shards, long seq) {
        for (int i = 0; i < shards.size(); i++) {
            ShardSnapshot s = shards.get(i);
            putVarint(out, SHARDS_TAG);
            putVarint(out, stateSize(s));
            writeState(out, s);
        }
        if (seq != 0) {
            putVarint(out, SEQ_TAG);
            putVarint(out, seq);
        }
    }

    private static int stateSize(ShardSnapshot s) {
        int size = longField(s.shard()) + longField(s.position()) + longField(s.epoch());
        int streams = s.atStart().length;
        for (float[] x : s.h()) {
            int t = tensorSize(x, streams);
            size += 1 + varintSize(t) + t;
        }
        for (float[] x : s.c()) {
            int t = tensorSize(x, streams);
            size += 1 + varintSize(t) + t;
        }
        if (streams > 0) {
            size += 1 + varintSize(streams) + streams;
        }
        return size;
    }

    private static void writeState(ByteBuffer out, ShardSnapshot s) {
        if (s.shard() != 0) {
            putVarint(out, SHARD_TAG);
            putVarint(out, s.shard());
        }
        if (s.position() != 0) {
            putVarint(out, POSITION_TAG);
            putVarint(out, s.position());
        }
        if (s.epoch() != 0) {
            putVarint(out, EPOCH_TAG);
            putVarint(out, s.epoch());
        }
        int streams = s.atStart().length;
        for (float[] x : s.h()) {
            writeTensor(out, H_TAG, x, streams);
        }
        for (float[] x : s.c()) {
            writeTensor(out, C_TAG, x, streams);
        }
        if (streams > 0) {
            putVarint(out, AT_START_TAG);
            putVarint(out, streams);
            for (boolean a : s.atStart()) {
                out.put((byte) (a ? 1 : 0));
            }
        }
    }

    /** A (streams, x.length / streams) tensor, as {@code ShardSnapshot.toProto} shapes it. */
    private static int tensorSize(float[] x, int streams) {
        int cols = x.length / Math.max(1, streams);
        int shape = varintSize(streams) + varintSize(cols);
        int bytes = Math.multiplyExact(streams * cols, Float.BYTES);
        return 1 + varintSize(shape) + shape + (bytes == 0 ? 0 : 1 + varintSize(bytes) + bytes);
    }

    private static void writeTensor(ByteBuffer out, int tag, float[] x, int streams) {
        int cols = x.length / Math.max(1, streams);
        int n = streams * cols;
        putVarint(out, tag);
        putVarint(out, tensorSize(x, streams));
        putVarint(out, SHAPE_TAG);
        putVarint(out, varintSize(streams) + varintSize(cols));
        putVarint(out, streams);
        putVarint(out, cols);
        if (n > 0) {
            putVarint(out, DATA_TAG);
            putVarint(out, n * Float.BYTES);
            ByteOrder order = out.order();
            out.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(x, 0, n);
            out.order(order).position(out.position() + n * Float.BYTES);
        }
    }

    private static int varintSize(long v) {
        return com.google.protobuf.CodedOutputStream.computeUInt64SizeNoTag(v);
    }

    private static void putVarint(ByteBuffer out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.put((byte) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }
}

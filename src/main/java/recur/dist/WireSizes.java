package recur.dist;

import com.google.protobuf.MessageLite;
import io.vertx.core.buffer.Buffer;
import recur.wire.Bf16;
import recur.wire.GradientMessage;
import recur.wire.ShardGrant;
import recur.wire.ShardSnapshot;
import recur.wire.WeightsMessage;

/**
 * Wire sizes of event-bus messages without encoding them: tensors count 4 bytes a value, or 2 when
 * every value is a bf16 value (what {@code Tensors.encodeCompact} sends), plus a small header; shard
 * states and shard grants count their floats and ints. Protobuf messages report their own size.
 */
final class WireSizes {
    static final int HEADER = 64;

    private WireSizes() {}

    static long of(Object body) {
        return switch (body) {
            case GradientMessage g -> HEADER + tensor(g.grad()) + g.shards().stream().mapToLong(WireSizes::shard).sum();
            case WeightsMessage w -> HEADER + (w.params() == null ? 0 : tensor(w.params()))
                    + w.assign().stream().mapToLong(WireSizes::grant).sum();
            case MessageLite m -> m.getSerializedSize();
            case Buffer b -> b.length();
            case byte[] b -> b.length;
            case null -> 0;
            default -> HEADER;
        };
    }

    /** Bytes of a flat tensor on the wire. */
    static long tensor(float[] values) {
        return (long) values.length * (values.length > 0 && Bf16.exact(values) ? 2 : 4);
    }

    private static long shard(ShardSnapshot s) {
        return s.toProto().getSerializedSize();
    }

    private static long grant(ShardGrant g) {
        return HEADER + shard(g.state()) + g.data().wireBytes();
    }
}

package recur.wire;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * A message as a tensor link sends it: a protobuf part (the message with its one big tensor's
 * shape and dtype but not its values), then the values as a {@link RawTensor}. The receiver decodes
 * the protobuf part with the same checks as the event-bus codecs, then reads the values straight into
 * the message's array ({@link Incoming}).
 */
@FunctionalInterface
public interface LinkMessage {
    /** Appends the protobuf part to {@code frame} and returns the values that follow it. */
    RawTensor writeLinkProto(Buffer frame);

    /**
     * As {@link #writeLinkProto(Buffer)}, into a link's own direct buffer (from its writer index on). A
     * message that can write its part by hand overrides this to write into the buffer's memory without
     * the wrappers and views a {@link Buffer} takes (a worker's push, every round).
     */
    default RawTensor writeLinkProto(ByteBuf frame) {
        return writeLinkProto(BufferInternal.buffer(frame));
    }
}

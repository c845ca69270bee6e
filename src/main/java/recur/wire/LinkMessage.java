package recur.wire;

import io.vertx.core.buffer.Buffer;

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
}

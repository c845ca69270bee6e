package recur.wire;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.util.function.Function;

/**
 * An event-bus codec for one message type: inside a JVM the object itself is delivered (no copy);
 * across the cluster it travels as a length-prefixed protobuf encoding and is validated on decode.
 */
public final class WireCodec<T> implements MessageCodec<T, T> {
    private final String name;
    private final Function<T, byte[]> encode;
    private final Function<byte[], T> decode;

    public WireCodec(String name, Function<T, byte[]> encode, Function<byte[], T> decode) {
        this.name = name;
        this.encode = encode;
        this.decode = decode;
    }

    @Override
    public void encodeToWire(Buffer buffer, T message) {
        byte[] bytes = encode.apply(message);
        buffer.appendInt(bytes.length).appendBytes(bytes);
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
        int length = buffer.getInt(pos);
        int available = buffer.length() - pos - Integer.BYTES;
        if (length < 0 || length > available) {
            throw new WireFormatException(name + ": expected at most " + available + " bytes, found a length of "
                    + length);
        }
        return decode.apply(buffer.getBytes(pos + Integer.BYTES, pos + Integer.BYTES + length));
    }

    @Override
    public T transform(T message) {
        return message;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public byte systemCodecID() {
        return -1;
    }
}

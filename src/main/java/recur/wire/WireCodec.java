package recur.wire;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * An event-bus codec for one message type: inside a JVM the object itself is delivered (no copy);
 * across the cluster it travels as a length-prefixed protobuf encoding and is validated on decode.
 * The big messages (gradients, weights) are read in place ({@link #inPlace}): no copy of the frame,
 * so a round makes fewer megabyte-sized arrays for the garbage collector in cluster mode; and they
 * write their frame themselves ({@link #framed}: the floats go straight into it).
 */
public final class WireCodec<T> implements MessageCodec<T, T> {
    private final String name;
    private final BiConsumer<Buffer, T> writeFrame;
    private final Function<byte[], T> decode;
    private final Function<ByteBuffer, T> decodeView;

    public WireCodec(String name, Function<T, byte[]> encode, Function<byte[], T> decode) {
        this(name, bytesFrame(encode), decode, null);
    }

    private WireCodec(String name, BiConsumer<Buffer, T> writeFrame, Function<byte[], T> decode,
                      Function<ByteBuffer, T> decodeView) {
        this.name = name;
        this.writeFrame = writeFrame;
        this.decode = decode;
        this.decodeView = decodeView;
    }

    private static <T> BiConsumer<Buffer, T> bytesFrame(Function<T, byte[]> encode) {
        return (buffer, message) -> {
            byte[] bytes = encode.apply(message);
            buffer.appendInt(bytes.length).appendBytes(bytes);
        };
    }

    /**
     * A codec whose decoder reads the received frame in place: {@code decodeView} gets a view of the
     * message's bytes that is valid only during the call, so it must copy out everything it keeps.
     */
    public static <T> WireCodec<T> inPlace(String name, Function<T, byte[]> encode, Function<ByteBuffer, T> decodeView) {
        return framed(name, bytesFrame(encode), decodeView);
    }

    /**
     * As {@link #inPlace}, but {@code writeFrame} appends the frame ({@code int32} length, then the
     * protobuf bytes) itself, without an intermediate byte array (see {@code TensorFrames}).
     */
    public static <T> WireCodec<T> framed(String name, BiConsumer<Buffer, T> writeFrame,
                                          Function<ByteBuffer, T> decodeView) {
        return new WireCodec<>(name, writeFrame, b -> decodeView.apply(ByteBuffer.wrap(b)), decodeView);
    }

    @Override
    public void encodeToWire(Buffer buffer, T message) {
        writeFrame.accept(buffer, message);
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
        int length = buffer.getInt(pos);
        int available = buffer.length() - pos - Integer.BYTES;
        if (length < 0 || length > available) {
            throw new WireFormatException(name + ": expected at most " + available + " bytes, found a length of "
                    + length);
        }
        if (decodeView != null && buffer instanceof BufferInternal b) {
            return decodeView.apply(b.getByteBuf().nioBuffer(pos + Integer.BYTES, length));
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

package recur.dist;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.function.BiConsumer;

/**
 * One worker's tensor link in cluster mode: a TCP connection between it and the parameter server that
 * carries its gradient pushes and the weights sent to it, so that the big messages bypass the
 * clustered event bus (join, heartbeats, leave and the sharded server's messages stay there). Every
 * frame is {@code [int32 big-endian length][protobuf bytes]}, the bytes exactly those the event-bus
 * codecs write ({@code recur.wire.TensorFrames}), so decoding and validation are shared.
 *
 * <p>Fewer copies than the event bus: a frame is written into a direct buffer that Netty sends as it
 * is (reused once its write has completed), and received chunks are copied once into one buffer per
 * link, sized to the largest frame seen, and decoded there in place. Event loop only: the socket's
 * handlers run on the context that made it (the server's or the worker's verticle).
 *
 * <p>Order: TCP delivers a link's frames in order, and both ends handle them on one event loop, so
 * everything the server sends a worker (weights, re-sends, shard moves, the stop signal) arrives in the
 * order it was sent, as it did on the worker's one event-bus address; see the call sites for why the
 * messages that stay on the bus cannot break the protocol.
 */
final class TensorLink {
    /** The largest frame accepted (1 GiB): a larger length means a corrupt stream, not a model. */
    static final int MAX_FRAME = 1 << 30;
    private static final int SPARE_BUFFERS = 2;
    private static final int READ_MAX = 1 << 20;

    private final NetSocketInternal socket;
    private final String peer;
    private final ArrayDeque<ByteBuf> spare = new ArrayDeque<>(SPARE_BUFFERS); // direct, written and done with
    private Handler<ByteBuffer> frames = b -> { };
    private Handler<String> closed = why -> { };
    private boolean open = true;
    private String closeReason;
    private int lastFrameBytes = 256;

    // receiving: the length prefix, then the frame's bytes into body
    private final byte[] header = new byte[Integer.BYTES];
    private int headerFill;
    private int need = -1;          // the frame's length once its prefix is in, -1 while reading the prefix
    private byte[] body = new byte[0];
    private int fill;

    /** @param peer who is at the other end, for messages ("worker 3", "the parameter server at host:port") */
    TensorLink(NetSocket socket, String peer) {
        this.socket = (NetSocketInternal) socket;
        this.peer = peer;
        // Reads of up to 1 MiB rather than Netty's usual 64 KiB: a 1.4 MB frame in a few reads, not 22.
        this.socket.channelHandlerContext().channel().config()
                .setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(4096, 65536, READ_MAX));
        this.socket.messageHandler(this::onMessage);
        this.socket.closeHandler(v -> onClosed());
        this.socket.exceptionHandler(t -> close("connection error (" + t.getMessage() + ")"));
    }

    /**
     * Each received frame's protobuf bytes, a view valid only during the call (decode in place, copy out
     * what is kept). A handler that throws closes the link with the exception's message.
     */
    TensorLink frames(Handler<ByteBuffer> handler) {
        this.frames = handler;
        return this;
    }

    /** Called once when the link closes, from either end, with why (as far as this end knows). */
    TensorLink closed(Handler<String> handler) {
        this.closed = handler;
        return this;
    }

    String peer() {
        return peer;
    }

    boolean open() {
        return open;
    }

    /**
     * Sends one frame: {@code write} appends {@code [int32 length][bytes]} to the buffer it is given
     * (as {@code GradientMessage.writeFrame} and {@code WeightsMessage.writeFrame} do). The message is
     * copied into the frame before this returns, so the caller may release it at once.
     */
    <T> void send(T message, BiConsumer<Buffer, T> write) {
        if (!open) {
            return;
        }
        ByteBuf out = spare.poll();
        if (out == null) {
            out = Unpooled.directBuffer(lastFrameBytes);
        }
        out.clear();
        write.accept(BufferInternal.buffer(out), message);
        lastFrameBytes = Math.max(lastFrameBytes, out.writerIndex());
        ByteBuf sent = out;
        // Vert.x hands Netty an unreleasable slice of a direct buffer: sent as is, not copied, not freed.
        socket.write(BufferInternal.buffer(out)).onComplete(ar -> {
            if (open && spare.size() < SPARE_BUFFERS) {
                spare.push(sent);
            } else {
                sent.release();
            }
            if (ar.failed()) {
                close("a write failed (" + ar.cause().getMessage() + ")");
            }
        });
    }

    /**
     * Sends a frame that {@link Shared} wrote once for several links (the same weights to every
     * worker): held until this write completes, never copied.
     */
    void send(Shared frame) {
        if (!open) {
            return;
        }
        ByteBuf out = frame.buffer;
        out.retain();
        socket.write(BufferInternal.buffer(out)).onComplete(ar -> {
            out.release();
            if (ar.failed()) {
                close("a write failed (" + ar.cause().getMessage() + ")");
            }
        });
    }

    /**
     * One message's frame, written once and sent on several links: the parameter server's weights of a
     * version go to every worker in the same bytes. {@link #of} writes the frame for a message unless
     * it holds that message's already, reusing its direct buffer when no write holds it any more.
     * Event loop only.
     */
    static final class Shared {
        private Object message;
        private ByteBuf buffer;

        <T> Shared of(T m, BiConsumer<Buffer, T> write) {
            if (m == message) {
                return this;
            }
            if (buffer != null && buffer.refCnt() > 1) { // still being written somewhere: leave it to those writes
                buffer.release();
                buffer = null;
            }
            if (buffer == null) {
                buffer = Unpooled.directBuffer(256);
            }
            buffer.clear();
            write.accept(BufferInternal.buffer(buffer), m);
            message = m;
            return this;
        }

        /** Lets the buffer go (it is freed when the last write holding it completes). */
        void release() {
            if (buffer != null) {
                buffer.release();
                buffer = null;
            }
            message = null;
        }
    }

    /** Closes the link; the close handler then runs with {@code why}. */
    void close(String why) {
        if (closeReason == null) {
            closeReason = why;
        }
        if (open) {
            socket.close();
        }
    }

    private void onClosed() {
        if (!open) {
            return;
        }
        open = false;
        while (!spare.isEmpty()) {
            spare.poll().release();
        }
        closed.handle(closeReason != null ? closeReason : "the connection closed");
    }

    private void onMessage(Object msg) {
        try {
            if (msg instanceof ByteBuf in && open) {
                read(in);
            }
        } catch (RuntimeException e) {
            close(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Copies {@code in} into the frame being received, handing each complete frame to the handler. */
    private void read(ByteBuf in) {
        while (in.isReadable() && open && closeReason == null) {
            if (need < 0) {
                int n = Math.min(Integer.BYTES - headerFill, in.readableBytes());
                in.readBytes(header, headerFill, n);
                headerFill += n;
                if (headerFill < Integer.BYTES) {
                    return;
                }
                headerFill = 0;
                int length = ByteBuffer.wrap(header).getInt();
                if (length < 0 || length > MAX_FRAME) {
                    throw new IllegalStateException("a frame from " + peer + " claims " + length
                            + " bytes (expected 0.." + MAX_FRAME + ")");
                }
                if (body.length < length) {
                    body = new byte[length]; // once, for the first big frame
                }
                need = length;
                fill = 0;
            }
            int n = Math.min(need - fill, in.readableBytes());
            in.readBytes(body, fill, n);
            fill += n;
            if (fill == need) {
                int length = need;
                need = -1;
                frames.handle(ByteBuffer.wrap(body, 0, length).slice());
            }
        }
    }
}

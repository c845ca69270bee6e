package recur.dist;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Completable;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * One worker's tensor link in cluster mode: a TCP connection between it and the parameter server that
 * carries its gradient pushes and the weights sent to it, so that the big messages bypass the
 * clustered event bus (join, heartbeats, leave and the sharded server's messages stay there). Every
 * frame is {@code [int32 big-endian length][protobuf bytes]}, the bytes exactly those the event-bus
 * codecs write ({@code recur.wire.TensorFrames}), so decoding and validation are shared.
 *
 * <p>Blocking I/O on threads of its own (a plain blocking {@link SocketChannel} moved a 1.4 MB frame
 * over loopback 2-3x faster than Netty's event-loop path here, docs/performance.md): a reader thread
 * reads each frame, its length then its bytes, into a direct buffer (one of two, each grown once to
 * the largest frame) and hands it to the owner's context, where the frame handler decodes it in place;
 * the buffer is read into again only after that handler has returned. A writer thread writes the
 * frames queued by {@link #send}, so the server's weights go to every worker at once and no event loop
 * waits on a socket. The handlers and everything else here run on the context that made the link (the
 * server's or the worker's verticle): the threads only touch the socket, the queues and the buffers.
 *
 * <p>Order: TCP delivers a link's frames in order, the writer writes them in the order they were sent,
 * and the reader hands them to one event loop in order, so everything the server sends a worker
 * (weights, re-sends, shard moves, the stop signal) arrives in the order it was sent, as it did on the
 * worker's one event-bus address; see the call sites for why the messages that stay on the bus cannot
 * break the protocol.
 */
final class TensorLink {
    /** The largest frame accepted (1 GiB): a larger length means a corrupt stream, not a model. */
    static final int MAX_FRAME = 1 << 30;
    private static final int SPARE_BUFFERS = 2;
    private static final int READ_BUFFERS = 2;
    /** Socket buffers big enough for a whole weights frame, so a write rarely waits for the reader. */
    private static final int SOCKET_BUFFER = 4 << 20;

    private final SocketChannel channel;
    private final String peer;
    private final ContextInternal context;
    private final Thread reader;
    private final Thread writer;
    private final BlockingQueue<Write> writes = new LinkedBlockingQueue<>();
    private final BlockingQueue<ByteBuf> spare = new ArrayBlockingQueue<>(SPARE_BUFFERS); // direct, written and done with
    private final BlockingQueue<ByteBuffer> readBuffers = new ArrayBlockingQueue<>(READ_BUFFERS); // direct, free to read into
    private final io.vertx.core.Closeable closeHook = this::closedWithContext;
    private volatile boolean stopping;       // the channel is being closed: the threads' errors are no news
    private volatile boolean stopped;        // closed at once, queued writes dropped (not a close after them)
    private volatile Receiver<?> receiver = new Receiver<ByteBuffer>(null, b -> { });
    private Handler<String> closed = why -> { };
    private boolean open = true;             // on the context: false once closing
    private boolean reported;                // on the context: the close handler has run
    private String closeReason;
    private int lastFrameBytes = 256;

    /** How frames are taken: decoded on the reader thread (decode non-null) or viewed on the context. */
    private record Receiver<T>(Function<ByteBuffer, T> decode, Handler<T> handler) {
    }

    /** A frame to write, and what to do once it is written (or not). */
    private record Write(ByteBuf frame, Runnable done) {
    }

    /** Queued by {@link #close}: the writer closes the channel once the frames before it are written. */
    private static final Write CLOSE = new Write(null, () -> { });
    /** How long a closing link's writer may take for the frames queued before the close. */
    private static final long CLOSE_GRACE_MS = 2_000;

    /**
     * Takes over a connected blocking channel; made on {@code context}, where the handlers then run.
     *
     * @param peer who is at the other end, for messages ("worker 3", "the parameter server at host:port")
     */
    TensorLink(SocketChannel channel, String peer, Context context) {
        this.channel = channel;
        this.peer = peer;
        this.context = (ContextInternal) context;
        for (int i = 0; i < READ_BUFFERS; i++) {
            readBuffers.add(ByteBuffer.allocateDirect(256));
        }
        try {
            channel.configureBlocking(true);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
        } catch (IOException e) {
            // a socket closed already: the reader finds out and reports it
        }
        String name = threadName(channel);
        this.reader = Thread.ofPlatform().daemon().name("recur-link-reader-" + name).unstarted(this::readLoop);
        this.writer = Thread.ofPlatform().daemon().name("recur-link-writer-" + name).unstarted(this::writeLoop);
        this.context.addCloseHook(closeHook);
        reader.start();
        writer.start();
    }

    private static String threadName(SocketChannel channel) {
        try {
            SocketAddress remote = channel.getRemoteAddress();
            return remote == null ? "unconnected" : remote.toString().replaceFirst("^[^/]*/", "");
        } catch (IOException e) {
            return "closed";
        }
    }

    /**
     * Each received frame's protobuf bytes, a view valid only during the call (decode in place, copy out
     * what is kept). A handler that throws closes the link with the exception's message.
     */
    TensorLink frames(Handler<ByteBuffer> handler) {
        this.receiver = new Receiver<>(null, handler);
        return this;
    }

    /**
     * Each received frame decoded on the link's reader thread by {@code decode} (thread-safe, it gets a
     * view valid only during the call), then handed to {@code handler} on the link's context: the event
     * loop does not decode, and the reader reuses its buffer at once. Applies to the frames read after
     * it is set. A decoder that throws closes the link with the exception's message; what was decoded
     * for a link that closed before the handler ran is dropped (pooled arrays go to the collector).
     */
    <T> TensorLink frames(Function<ByteBuffer, T> decode, Handler<T> handler) {
        this.receiver = new Receiver<>(decode, handler);
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
        writes.add(new Write(sent, () -> {
            if (stopping || !spare.offer(sent)) {
                sent.release();
            }
        }));
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
        out.retain(); // released by the writer thread (Netty's reference counts are atomic)
        writes.add(new Write(out, out::release));
    }

    /**
     * One message's frame, written once and sent on several links: the parameter server's weights of a
     * version go to every worker in the same bytes. {@link #of} writes the frame for a message unless
     * it holds that message's already, reusing its direct buffer when no write holds it any more.
     * Event loop only; the links' writer threads only release their holds.
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

    /**
     * Closes the link after the frames already sent (the stop signal before a server closes, say) are
     * written, at most {@link #CLOSE_GRACE_MS} later; the close handler then runs (once, on the link's
     * context) with {@code why}.
     */
    void close(String why) {
        if (closeReason == null) {
            closeReason = why;
        }
        if (open) {
            open = false;
            stopping = true;
            writes.add(CLOSE);
            try {
                context.owner().setTimer(CLOSE_GRACE_MS, t -> shutDown());
            } catch (RuntimeException e) { // Vert.x is closing: no grace
                shutDown();
            }
            context.runOnContext(v -> report(null));
        }
    }

    /** Closes the channel and stops both threads, dropping what is queued; any thread. */
    private void shutDown() {
        stopping = true;
        stopped = true;
        try {
            channel.close();
        } catch (IOException e) {
            // closed either way
        }
        reader.interrupt();
        writer.interrupt();
    }

    /** The owner's context is closing (undeployed, or Vert.x closing): the link goes with it. */
    private void closedWithContext(Completable<Void> done) {
        shutDown();
        done.succeed();
    }

    /** On the context: a thread found the link broken ({@code why}), or it was closed here. */
    private void report(String why) {
        if (closeReason == null) {
            closeReason = why;
        }
        if (open) {
            open = false;
            shutDown();
        }
        if (reported) {
            return;
        }
        reported = true;
        context.removeCloseHook(closeHook);
        ByteBuf b;
        while ((b = spare.poll()) != null) {
            b.release();
        }
        if (stopped) { // else the writer still writes what was queued before the close, then drains
            Write w;
            while ((w = writes.poll()) != null) {
                w.done.run();
            }
        }
        closed.handle(closeReason != null ? closeReason : "the connection closed");
    }

    /** A thread's failure (null: the link was closed here), handed to the context to report once. */
    private void fail(String why) {
        context.runOnContext(v -> report(why));
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    // ------------------------------------------------------------------------------------ threads

    private void writeLoop() {
        try {
            while (true) {
                Write w = writes.take();
                if (w == CLOSE) {
                    shutDown();
                    return;
                }
                try {
                    ByteBuf frame = w.frame;
                    ByteBuffer out = frame.nioBuffer(frame.readerIndex(), frame.readableBytes());
                    while (out.hasRemaining()) {
                        channel.write(out);
                    }
                } finally {
                    w.done.run();
                }
            }
        } catch (InterruptedException | ClosedChannelException e) {
            fail(null);
        } catch (IOException | RuntimeException e) {
            fail(stopping ? null : "a write failed (" + message(e) + ")");
        } finally {
            Write w;
            while ((w = writes.poll()) != null) {
                w.done.run();
            }
        }
    }

    private void readLoop() {
        ByteBuffer header = ByteBuffer.allocateDirect(Integer.BYTES);
        try {
            while (true) {
                header.clear();
                if (!readFully(header)) {
                    fail("the connection closed");
                    return;
                }
                int length = header.getInt(0);
                if (length < 0 || length > MAX_FRAME) {
                    fail("a frame from " + peer + " claims " + length + " bytes (expected 0.." + MAX_FRAME + ")");
                    return;
                }
                ByteBuffer body = readBuffers.take();
                if (body.capacity() < length) {
                    body = ByteBuffer.allocateDirect(length); // once per buffer, for the first big frame
                }
                body.clear().limit(length);
                if (!readFully(body)) {
                    fail("the connection closed");
                    return;
                }
                body.flip();
                Receiver<?> r = receiver;
                if (r.decode != null) {
                    decoded(r, body);
                } else {
                    ByteBuffer frame = body;
                    context.runOnContext(v -> deliver(frame));
                }
            }
        } catch (InterruptedException | ClosedChannelException e) {
            fail(null);
        } catch (IOException | RuntimeException e) {
            fail(stopping ? null : "connection error (" + message(e) + ")");
        }
    }

    /** Reads until {@code into} is full; false at the end of the stream. */
    private boolean readFully(ByteBuffer into) throws IOException {
        while (into.hasRemaining()) {
            if (channel.read(into) < 0) {
                return false;
            }
        }
        return true;
    }

    /** A frame viewed on the context: to a receiver set since it was read, decoded here if it decodes. */
    @SuppressWarnings("unchecked")
    private static <T> void deliver(Receiver<T> r, ByteBuffer view) {
        if (r.decode == null) {
            ((Handler<ByteBuffer>) r.handler).handle(view);
        } else {
            r.handler.handle(r.decode.apply(view));
        }
    }

    /** On the reader thread: decodes a frame, then hands the result to the context. */
    private <T> void decoded(Receiver<T> r, ByteBuffer frame) {
        T m;
        try {
            m = r.decode.apply(frame.slice());
        } catch (RuntimeException e) {
            fail(message(e));
            return;
        } finally {
            readBuffers.offer(frame);
        }
        context.runOnContext(v -> {
            try {
                if (open) {
                    r.handler.handle(m);
                }
            } catch (RuntimeException e) {
                close(message(e));
            }
        });
    }

    /** On the context: one received frame to the handler, then its buffer back to the reader. */
    private void deliver(ByteBuffer frame) {
        try {
            if (open) {
                deliver(receiver, frame.slice());
            }
        } catch (RuntimeException e) {
            close(message(e));
        } finally {
            readBuffers.offer(frame);
        }
    }
}

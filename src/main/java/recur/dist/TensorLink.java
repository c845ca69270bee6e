package recur.dist;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Completable;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import recur.wire.Bf16;
import recur.wire.Incoming;
import recur.wire.LinkMessage;
import recur.wire.RawTensor;

/**
 * One worker's tensor link in cluster mode: a TCP connection between it and the parameter server that
 * carries its gradient pushes and the weights sent to it, so that the big messages bypass the
 * clustered event bus (join, heartbeats, leave and the sharded server's messages stay there).
 *
 * <p>A frame is {@code [int32 length][int32 P][P bytes: protobuf part][values]} (big-endian ints;
 * length counts what follows it): the message's protobuf bytes with its one big tensor's shape and
 * dtype but not its values, then those values little-endian ({@link RawTensor}, none for the hello or
 * a stop). The protobuf part is decoded and validated as the event-bus codecs do
 * ({@code recur.wire.WireCodecs#pushFromLink}). The values are never gathered into a frame: the writer
 * copies them from the message's array into the socket in {@link #CHUNK}-byte pieces, and the reader
 * copies them from the socket into the decoded message's array the same way, so the copies overlap
 * the transfer (a frame written whole and read whole cost ~1 ms a direction more, docs/performance.md).
 *
 * <p>Blocking I/O on threads of its own (a plain blocking {@link SocketChannel} moved a 1.4 MB frame
 * over loopback 2-3x faster than Netty's event-loop path here, docs/performance.md): a reader thread
 * reads each frame, decodes its protobuf part, reads its values into the message and hands the
 * message to the owner's context. A writer thread writes the frames queued by {@link #send}, so the
 * server's weights go to every worker at once and no event loop waits on a socket; {@link #write}
 * writes on the caller's thread instead when nothing is queued (a worker's compute lane, its push). The
 * handlers and everything else here but {@link #send} and {@link #write} run on the context that made
 * the link (the server's or the worker's verticle): the threads only touch the socket, the queues, the
 * buffers and the messages' arrays.
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
    /** Bytes of values copied between an array and the socket at a time: a piece that stays in cache. */
    static final int CHUNK = 256 << 10;
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
    private final AtomicInteger queued = new AtomicInteger(); // frames queued for the writer and not yet written
    private final ReentrantLock writing = new ReentrantLock(); // held while a frame goes out (by the writer, or in write)
    private final BlockingQueue<ByteBuf> spare = new ArrayBlockingQueue<>(SPARE_BUFFERS); // direct, written and done with
    private final BlockingQueue<ByteBuffer> readBuffers = new ArrayBlockingQueue<>(READ_BUFFERS); // protobuf parts, free to read into
    private final io.vertx.core.Closeable closeHook = this::closedWithContext;
    private volatile boolean stopping;       // the channel is being closed: the threads' errors are no news
    private volatile boolean stopped;        // closed at once, queued writes dropped (not a close after them)
    private volatile Receiver<?> receiver = new Receiver<ByteBuffer>(null, b -> { });
    private ByteBuffer readChunk;            // reader thread: values on their way into an array
    private FloatBuffer readFloats;          // its float view
    private MemorySegment readSegment;       // and its bytes, for bf16
    private ByteBuffer writeChunk;           // under writing: values on their way out of an array
    private FloatBuffer writeFloats;
    private MemorySegment writeSegment;
    private Handler<String> closed = why -> { };
    private volatile boolean open = true;    // set on the context: false once closing (send reads it anywhere)
    private boolean reported;                // on the context: the close handler has run
    private String closeReason;
    private volatile int lastFrameBytes = 256; // a hint for new frame buffers

    /**
     * Decodes a frame's protobuf part (a view valid only during the call) on the reader thread, with
     * {@code rawBytes} of values to follow it; thread-safe.
     */
    @FunctionalInterface
    interface Decoder<T> {
        Incoming<T> decode(ByteBuffer proto, long rawBytes);
    }

    /** How frames are taken: decoded on the reader thread (decode non-null) or viewed on the context. */
    private record Receiver<T>(Decoder<T> decode, Handler<T> handler) {
    }

    /**
     * A frame's head (length, P, protobuf part) and values to write, and what to do once written (or
     * not): the head's buffer is this link's own ({@code own}: back to the spares) or a hold on a
     * {@link Shared} one (released); then {@code whenWritten}. No lambda a send: a push is sent every round.
     */
    private record Write(ByteBuf frame, RawTensor values, Runnable whenWritten, boolean own) {
    }

    /** Queued by {@link #close}: the writer closes the channel once the frames before it are written. */
    private static final Write CLOSE = new Write(null, RawTensor.NONE, () -> { }, false);

    /** A write is done with (written or dropped): its head's buffer let go, then the sender told. */
    private void done(Write w) {
        if (w.frame != null && (!w.own || stopping || !spare.offer(w.frame))) {
            w.frame.release();
        }
        w.whenWritten.run();
    }

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
            readBuffers.add(ByteBuffer.allocate(256));
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
     * Each received frame's protobuf part, a view valid only during the call (decode in place, copy
     * out what is kept), on the link's context; such frames carry no values (a frame with values
     * closes the link). A handler that throws closes the link with the exception's message.
     */
    TensorLink frames(Handler<ByteBuffer> handler) {
        this.receiver = new Receiver<>(null, handler);
        return this;
    }

    /**
     * Each received frame decoded on the link's reader thread by {@code decode}, its values read into
     * the array decode gave, then the message handed to {@code handler} on the link's context: the
     * event loop neither decodes nor copies. Applies to the frames read after it is set. A decoder that
     * throws closes the link with the exception's message; what was decoded for a link that closed
     * before the handler ran is dropped (pooled arrays go to the collector).
     */
    <T> TensorLink frames(Decoder<T> decode, Handler<T> handler) {
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
     * Sends {@code message} (any thread: a worker pushes from its compute lane; a send that races a
     * close is dropped): its protobuf part is written into a frame before this returns; its values
     * are read from their array by the writer thread as it writes them, so the array must not change
     * until {@code whenWritten} runs (on the writer thread, or here when the link is closed), once the
     * frame is written or dropped. A holder of a pooled array releases its hold there.
     */
    void send(LinkMessage message, Runnable whenWritten) {
        if (!open) {
            whenWritten.run();
            return;
        }
        enqueue(own(message, whenWritten));
    }

    /** {@code message}'s frame head written into a buffer of this link's own. */
    private Write own(LinkMessage message, Runnable whenWritten) {
        ByteBuf out = spare.poll();
        if (out == null) {
            out = Unpooled.directBuffer(lastFrameBytes);
        }
        RawTensor values = frame(out, message);
        lastFrameBytes = Math.max(lastFrameBytes, out.writerIndex());
        return new Write(out, values, whenWritten, true);
    }

    /**
     * {@link #send}, but the frame is written on the calling thread, which returns once it is written,
     * when the writer has nothing queued (else it is queued behind those frames): for a sender with
     * nothing to do until the write is done, such as a sync worker's compute lane with its push. It
     * saves waking the writer thread on every round's critical path (docs/performance.md).
     * {@code whenWritten} runs here, or as for {@link #send}.
     */
    void write(LinkMessage message, Runnable whenWritten) {
        if (!open) {
            whenWritten.run();
            return;
        }
        Write w = own(message, whenWritten);
        writing.lock();
        try {
            if (queued.get() == 0) {
                try {
                    writeFrame(w);
                } catch (IOException | RuntimeException e) {
                    writeFailed(e);
                } finally {
                    done(w);
                }
                return;
            }
        } finally {
            writing.unlock();
        }
        enqueue(w);
    }

    /** Hands {@code w} to the writer thread, behind what is queued. */
    private void enqueue(Write w) {
        queued.incrementAndGet();
        writes.add(w);
    }

    /** Writes {@code [length][P][protobuf part]} into {@code out} (cleared); returns the values that follow. */
    private static RawTensor frame(ByteBuf out, LinkMessage message) {
        out.clear().writeLong(0); // the two ints, set below
        RawTensor values = message.writeLinkProto(out);
        int proto = out.writerIndex() - 2 * Integer.BYTES;
        long length = Integer.BYTES + (long) proto + values.bytes();
        if (length > MAX_FRAME) {
            throw new IllegalArgumentException("a message of " + length + " bytes is over the tensor link's limit of "
                    + MAX_FRAME);
        }
        out.setInt(0, (int) length).setInt(Integer.BYTES, proto);
        return values;
    }

    /**
     * Sends a frame that {@link Shared} wrote once for several links (the same weights to every
     * worker): held until this write completes, never copied; {@code whenWritten} as for
     * {@link #send(LinkMessage, Runnable)}.
     */
    void send(Shared frame, Runnable whenWritten) {
        if (!open) {
            whenWritten.run();
            return;
        }
        ByteBuf out = frame.buffer;
        out.retain(); // released by the writer thread (Netty's reference counts are atomic)
        enqueue(new Write(out, frame.values, whenWritten, false));
    }

    /**
     * One message's frame head, written once and sent on several links: the parameter server's
     * weights of a version go to every worker in the same bytes, each link's writer reading the
     * values from the same array. {@link #of} writes the head for a message unless it holds that
     * message's already, reusing its direct buffer when no write holds it any more. Event loop only;
     * the links' writer threads only release their holds.
     */
    static final class Shared {
        private LinkMessage message;
        private ByteBuf buffer;
        private RawTensor values;

        Shared of(LinkMessage m) {
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
            values = frame(buffer, m);
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
            values = null;
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
            enqueue(CLOSE);
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
                done(w);
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
                writing.lock();
                try {
                    writeFrame(w);
                } finally {
                    queued.decrementAndGet();
                    writing.unlock();
                    done(w);
                }
            }
        } catch (InterruptedException | IOException | RuntimeException e) {
            writeFailed(e);
        } finally {
            Write w;
            while ((w = writes.poll()) != null) {
                done(w);
            }
        }
    }

    /** A write ended in {@code e}: news unless the link was closed here (a closed channel, an interrupt, stopping). */
    private void writeFailed(Exception e) {
        boolean closedHere = e instanceof InterruptedException || e instanceof ClosedChannelException || stopping;
        fail(closedHere ? null : "a write failed (" + message(e) + ")");
    }

    /** One frame: its head, then its values (holding {@code writing}). */
    private void writeFrame(Write w) throws IOException {
        ByteBuf frame = w.frame;
        // A shared head is written by several writers at once: each takes a view of its own. This link's
        // own head is one writing thread's alone until done: Netty's cached view, no object a write.
        writeFully(w.own ? frame.internalNioBuffer(frame.readerIndex(), frame.readableBytes())
                : frame.nioBuffer(frame.readerIndex(), frame.readableBytes()));
        writeValues(w.values);
    }

    private void writeFully(ByteBuffer out) throws IOException {
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    /** Writes {@code t}'s values little-endian, a chunk at a time (holding {@code writing}). */
    private void writeValues(RawTensor t) throws IOException {
        if (t.count() == 0) {
            return;
        }
        if (writeChunk == null) {
            writeChunk = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            writeFloats = writeChunk.asFloatBuffer();
            writeSegment = MemorySegment.ofBuffer(writeChunk);
        }
        float[] v = t.values();
        int width = t.bf16() ? 2 : Float.BYTES;
        int per = CHUNK / width;
        for (int at = 0; at < t.count(); at += per) {
            int k = Math.min(per, t.count() - at);
            writeChunk.clear();
            if (t.bf16()) {
                Bf16.toBits(v, at, k, writeSegment, 0);
            } else {
                writeFloats.clear();
                writeFloats.put(v, at, k);
            }
            writeChunk.limit(k * width);
            writeFully(writeChunk);
        }
    }

    private void readLoop() {
        ByteBuffer header = ByteBuffer.allocateDirect(2 * Integer.BYTES);
        try {
            while (true) {
                header.clear();
                if (!readFully(header)) {
                    fail("the connection closed");
                    return;
                }
                int length = header.getInt(0);
                int proto = header.getInt(Integer.BYTES);
                if (length < Integer.BYTES || length > MAX_FRAME) {
                    fail("a frame from " + peer + " claims " + length + " bytes (expected " + Integer.BYTES + ".."
                            + MAX_FRAME + ")");
                    return;
                }
                if (proto < 0 || proto > length - Integer.BYTES) {
                    fail("a frame from " + peer + " of " + length + " bytes claims a protobuf part of " + proto
                            + " bytes (expected 0.." + (length - Integer.BYTES) + ")");
                    return;
                }
                long values = length - Integer.BYTES - (long) proto;
                ByteBuffer body = readBuffers.take();
                if (body.capacity() < proto) {
                    body = ByteBuffer.allocate(proto); // once per buffer, for the first bigger protobuf part
                }
                body.clear().limit(proto);
                if (!readFully(body)) {
                    fail("the connection closed");
                    return;
                }
                body.flip();
                Receiver<?> r = receiver;
                if (r.decode != null) {
                    if (!decoded(r, body, values)) {
                        return;
                    }
                } else if (values != 0) {
                    readBuffers.offer(body);
                    fail("a frame from " + peer + " carries " + values + " bytes of values where none are expected");
                    return;
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
            r.handler.handle(r.decode.decode(view, 0).message()); // read as a frame without values
        }
    }

    /**
     * On the reader thread: decodes a frame's protobuf part, reads its values into the message, then
     * hands the message to the context; false when the link failed (reported).
     */
    private <T> boolean decoded(Receiver<T> r, ByteBuffer proto, long values) throws IOException {
        Incoming<T> in;
        try {
            in = r.decode.decode(proto.slice(), values);
        } catch (RuntimeException e) {
            fail(message(e));
            return false;
        } finally {
            readBuffers.offer(proto);
        }
        if (!readValues(in.tensor())) {
            fail("the connection closed");
            return false;
        }
        T m = in.message();
        context.runOnContext(v -> {
            try {
                if (open) {
                    r.handler.handle(m);
                }
            } catch (RuntimeException e) {
                close(message(e));
            }
        });
        return true;
    }

    /** Reads {@code t}'s values into its array, a chunk at a time; false at the end of the stream. */
    private boolean readValues(RawTensor t) throws IOException {
        if (t.bytes() == 0) {
            return true;
        }
        if (readChunk == null) {
            readChunk = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            readFloats = readChunk.asFloatBuffer();
            readSegment = MemorySegment.ofBuffer(readChunk);
        }
        return readValues(channel, readChunk, readFloats, readSegment, t);
    }

    /**
     * Reads {@code t.bytes()} bytes from {@code in} into {@code t}'s values through {@code chunk}
     * (little-endian; {@code floats} its float view, {@code bytes} its whole capacity as a segment),
     * whatever sizes the reads return: the bytes of a value split between two reads are kept for the
     * next; false at the end of the stream.
     */
    static boolean readValues(ReadableByteChannel in, ByteBuffer chunk, FloatBuffer floats, MemorySegment bytes,
                              RawTensor t)
            throws IOException {
        int width = t.bf16() ? 2 : Float.BYTES;
        long left = t.bytes();
        float[] v = t.values();
        int at = 0;
        chunk.clear();
        while (left > 0) {
            chunk.limit((int) Math.min(chunk.capacity(), chunk.position() + left));
            int n = in.read(chunk);
            if (n < 0) {
                return false;
            }
            left -= n;
            int have = chunk.position();
            int whole = have / width; // values complete in the chunk
            if (t.bf16()) {
                Bf16.toFloats(bytes, 0, v, at, whole);
            } else {
                floats.clear().limit(whole);
                floats.get(v, at, whole);
            }
            at += whole;
            int rest = have - whole * width;
            for (int i = 0; i < rest; i++) {
                chunk.put(i, chunk.get(whole * width + i));
            }
            chunk.clear().position(rest);
        }
        return true;
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

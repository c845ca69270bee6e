package recur.wire;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import recur.wire.proto.Tensor;

/**
 * Writes a length-prefixed protobuf message with one big flat tensor straight into an event-bus
 * frame: the floats are copied once, from the array into the frame. Building the protobuf first
 * copied them three times (into a byte buffer, into the message's byte array, into the frame) and
 * made two megabyte-sized arrays a message for the garbage collector.
 *
 * <p>The bytes are exactly those of the protobuf message with the tensor set as
 * {@link Tensors#encodeCompact} makes it: {@code head} holds the fields numbered below the tensor's,
 * {@code tail} those above it, and protobuf writes fields in number order.
 */
final class TensorFrames {
    private TensorFrames() {}

    /** Appends {@code [int32 length][head, tensor field, tail]} to {@code frame}. */
    static void write(Buffer frame, MessageLite head, int field, float[] values, MessageLite tail) {
        Layout layout = Layout.of(head, field, values, tail);
        int size = layout.size();
        int at = frame.length() + Integer.BYTES;
        frame.appendInt(size);
        writeAt(frame, at, size, out -> layout.write(out, head, field, values, tail));
    }

    /**
     * Appends a tensor link's protobuf part ({@link LinkMessage}): {@code [head, tensor field, tail]}
     * with the tensor's shape {@code [raw.count()]} and dtype but no data; the values follow it.
     */
    static void writeLinkProto(Buffer frame, MessageLite head, int field, RawTensor raw, MessageLite tail) {
        Tensor.Builder t = Tensor.newBuilder().addShape(raw.count());
        if (raw.bf16()) {
            t.setDtype(Tensors.BF16);
        }
        Tensor tensor = t.build();
        int tensorSize = tensor.getSerializedSize();
        int size = Math.addExact(head.getSerializedSize() + CodedOutputStream.computeTagSize(field)
                + CodedOutputStream.computeUInt32SizeNoTag(tensorSize) + tensorSize, tail.getSerializedSize());
        writeAt(frame, frame.length(), size, out -> {
            try {
                CodedOutputStream c = CodedOutputStream.newInstance(out);
                head.writeTo(c);
                c.writeTag(field, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
                c.writeUInt32NoTag(tensorSize);
                tensor.writeTo(c);
                tail.writeTo(c);
                c.flush();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("link frame: more bytes than the computed " + size, e);
            }
            filled(out, "link frame", size);
        });
    }

    /** Fails when a body wrote fewer bytes into {@code out} than the {@code size} computed for it. */
    static void filled(ByteBuffer out, String what, int size) {
        if (out.hasRemaining()) {
            throw new IllegalStateException(what + ": " + out.remaining() + " of the computed " + size
                    + " bytes left unwritten");
        }
    }

    /**
     * Appends {@code size} bytes that {@code body} writes from the position of the buffer it is given
     * (exactly that many: more overflow it, fewer are an error): a protobuf part written by hand
     * ({@link PushLinkWriter}).
     */
    static void writeByHand(Buffer frame, int size, Consumer<ByteBuffer> body) {
        writeAt(frame, frame.length(), size, out -> {
            body.accept(out);
            filled(out, "link frame", size);
        });
    }

    /**
     * Writes {@code size} bytes at {@code at} of {@code frame} (grown once to hold them) with {@code body}:
     * into the frame's own memory when it is one region, else aside and then copied in (not how Vert.x
     * makes frames).
     */
    private static void writeAt(Buffer frame, int at, int size, Consumer<ByteBuffer> body) {
        frame.setByte(at + size - 1, (byte) 0);
        ByteBuf view = frame instanceof BufferInternal b ? b.getByteBuf() : null;
        if (view != null && view.nioBufferCount() == 1) {
            body.accept(view.nioBuffer(at, size));
        } else {
            ByteBuffer aside = ByteBuffer.allocate(size);
            body.accept(aside);
            frame.setBytes(at, aside.array());
        }
    }

    /** Sizes of the message's parts; {@code dtype} null for float32. */
    private record Layout(int size, int tensorSize, Tensor shape, int dataBytes, Tensor dtype) {
        static Layout of(MessageLite head, int field, float[] values, MessageLite tail) {
            boolean bf16 = values.length > 0 && Bf16.exact(values);
            int dataBytes = Math.multiplyExact(values.length, bf16 ? 2 : 4);
            Tensor shape = Tensor.newBuilder().addShape(values.length).build();
            Tensor dtype = bf16 ? Tensor.newBuilder().setDtype(Tensors.BF16).build() : null;
            int dataField = dataBytes == 0 ? 0 // proto3 leaves an empty bytes field out
                    : CodedOutputStream.computeTagSize(Tensor.DATA_FIELD_NUMBER)
                    + CodedOutputStream.computeUInt32SizeNoTag(dataBytes) + dataBytes;
            int tensorSize = Math.addExact(shape.getSerializedSize() + dataField,
                    dtype == null ? 0 : dtype.getSerializedSize());
            int size = Math.addExact(head.getSerializedSize() + CodedOutputStream.computeTagSize(field)
                    + CodedOutputStream.computeUInt32SizeNoTag(tensorSize) + tensorSize, tail.getSerializedSize());
            return new Layout(size, tensorSize, shape, dataBytes, dtype);
        }

        /** Writes the message into {@code out}: exactly {@link #size} bytes from its position. */
        void write(ByteBuffer out, MessageLite head, int field, float[] values, MessageLite tail) {
            int lengthDelimited = com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED;
            try {
                CodedOutputStream before = CodedOutputStream.newInstance(out);
                head.writeTo(before);
                before.writeTag(field, lengthDelimited);
                before.writeUInt32NoTag(tensorSize);
                shape.writeTo(before);
                if (dataBytes > 0) {
                    before.writeTag(Tensor.DATA_FIELD_NUMBER, lengthDelimited);
                    before.writeUInt32NoTag(dataBytes);
                }
                before.flush();
                out.order(ByteOrder.LITTLE_ENDIAN);
                if (dtype != null) {
                    Bf16.toBits(values, 0, values.length, java.lang.foreign.MemorySegment.ofBuffer(out), 0);
                    out.position(out.position() + dataBytes);
                } else {
                    out.asFloatBuffer().put(values);
                    out.position(out.position() + dataBytes);
                }
                CodedOutputStream after = CodedOutputStream.newInstance(out);
                if (dtype != null) {
                    dtype.writeTo(after);
                }
                tail.writeTo(after);
                after.flush();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("frame: more bytes than the computed " + size, e);
            }
            filled(out, "frame", size);
        }
    }
}

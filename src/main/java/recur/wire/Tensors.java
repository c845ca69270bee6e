package recur.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import recur.wire.proto.Tensor;

/**
 * Dense tensors on the wire: {@code repeated int32 shape} plus little-endian float32 {@code bytes}
 * (packed {@code repeated float} measured about 2x slower for 4 MiB payloads). Decoding checks the
 * element count with {@link Math#multiplyExact} and says "expected X, found Y" when sizes disagree.
 */
public final class Tensors {
    /** Largest element count a Java array can hold here. */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private Tensors() {}

    /** {@code data[0, product(shape))} as a tensor of that shape. */
    public static Tensor encode(float[] data, int... shape) {
        int n = (int) elements(shape, "tensor");
        if (n > data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                    + " floats, the array has " + data.length);
        }
        ByteBuffer bytes = ByteBuffer.allocate(Math.multiplyExact(n, Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(data, 0, n);
        Tensor.Builder t = Tensor.newBuilder().setData(UnsafeByteOperations.unsafeWrap(bytes.array()));
        for (int d : shape) {
            t.addShape(d);
        }
        return t.build();
    }

    /** A flat tensor of shape {@code [data.length]}. */
    public static Tensor encode(float[] data) {
        return encode(data, data.length);
    }

    /** dtype of bfloat16 tensors ({@link Bf16}); float32 tensors leave the field empty. */
    public static final String BF16 = "bf16";

    /**
     * A flat tensor of {@code data}, as bf16 (2 bytes a value, lossless) when every value already is
     * a bf16 value (what {@code --wire bf16} sends), else as float32.
     */
    public static Tensor encodeCompact(float[] data) {
        if (data.length == 0 || !Bf16.exact(data)) {
            return encode(data);
        }
        byte[] bytes = new byte[Math.multiplyExact(data.length, 2)];
        Bf16.toBits(data, 0, data.length, java.lang.foreign.MemorySegment.ofArray(bytes), 0);
        return Tensor.newBuilder().setData(UnsafeByteOperations.unsafeWrap(bytes)).addShape(data.length)
                .setDtype(BF16).build();
    }

    /** The tensor's values; {@code what} names it in error messages. */
    public static float[] decode(Tensor t, String what) {
        return decode(t, what, float[]::new);
    }

    /**
     * As {@link #decode(Tensor, String)}, into the array {@code make} gives for the element count
     * (which must have that length): a reused buffer, say.
     */
    public static float[] decode(Tensor t, String what, IntFunction<float[]> make) {
        long n = elements(t.getShapeList(), what);
        if (t.getDtype().equals(BF16)) {
            return decodeBf16(t, n, what, make);
        }
        if (!t.getDtype().isEmpty() && !t.getDtype().equals("f32")) {
            throw new WireFormatException(what + ": expected dtype f32 or bf16, found '" + t.getDtype() + "'");
        }
        long bytes = Math.multiplyExact(n, (long) Float.BYTES);
        if (bytes != t.getData().size()) {
            throw new WireFormatException(what + ": shape " + t.getShapeList() + " needs " + bytes
                    + " bytes, found " + t.getData().size());
        }
        float[] out = make.apply((int) n);
        t.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    /**
     * A tensor-link frame's tensor ({@link LinkMessage}): its values follow the protobuf part,
     * {@code rawBytes} of them, rather than sitting in its data field. Checks the dtype and that the
     * shape needs exactly those bytes, and returns where to read them: an array from {@code make}.
     */
    public static RawTensor linkTarget(Tensor t, String what, long rawBytes, IntFunction<float[]> make) {
        if (!t.getData().isEmpty()) {
            throw new WireFormatException(what + ": expected the values after the frame's protobuf part, found "
                    + t.getData().size() + " bytes in its data field");
        }
        long n = elements(t.getShapeList(), what);
        boolean bf16 = t.getDtype().equals(BF16);
        if (!bf16 && !t.getDtype().isEmpty() && !t.getDtype().equals("f32")) {
            throw new WireFormatException(what + ": expected dtype f32 or bf16, found '" + t.getDtype() + "'");
        }
        long bytes = Math.multiplyExact(n, bf16 ? 2L : Float.BYTES);
        if (bytes != rawBytes) {
            throw new WireFormatException(what + ": " + (bf16 ? "bf16 " : "") + "shape " + t.getShapeList() + " needs "
                    + bytes + " bytes, found " + rawBytes);
        }
        return new RawTensor(make.apply((int) n), (int) n, bf16);
    }

    private static float[] decodeBf16(Tensor t, long n, String what, IntFunction<float[]> make) {
        long bytes = Math.multiplyExact(n, 2L);
        if (bytes != t.getData().size()) {
            throw new WireFormatException(what + ": bf16 shape " + t.getShapeList() + " needs " + bytes
                    + " bytes, found " + t.getData().size());
        }
        float[] out = make.apply((int) n);
        Bf16.toFloats(java.lang.foreign.MemorySegment.ofBuffer(t.getData().asReadOnlyByteBuffer()), 0, out, 0, out.length);
        return out;
    }

    /** The tensor's values after checking that its shape is exactly {@code expected}. */
    public static float[] decode(Tensor t, String what, int... expected) {
        List<Integer> shape = t.getShapeList();
        boolean same = shape.size() == expected.length;
        for (int i = 0; same && i < expected.length; i++) {
            same = shape.get(i) == expected[i];
        }
        if (!same) {
            throw new WireFormatException(what + ": expected shape " + Arrays.toString(expected) + ", found " + shape);
        }
        return decode(t, what);
    }

    /** Token ids as little-endian int32 bytes. */
    public static ByteString encodeInts(int[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(Math.multiplyExact(values.length, Integer.BYTES))
                .order(ByteOrder.LITTLE_ENDIAN);
        bytes.asIntBuffer().put(values);
        return UnsafeByteOperations.unsafeWrap(bytes.array());
    }

    /** Little-endian int32 bytes back to ints; the byte count must be a multiple of 4. */
    public static int[] decodeInts(ByteString bytes, String what) {
        if (bytes.size() % Integer.BYTES != 0) {
            throw new WireFormatException(what + ": expected a multiple of 4 bytes, found " + bytes.size());
        }
        int[] out = new int[bytes.size() / Integer.BYTES];
        bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }

    private static long elements(int[] shape, String what) {
        long n = 1;
        for (int d : shape) {
            n = checkedTimes(n, d, shape.length, what);
        }
        return n;
    }

    private static long elements(List<Integer> shape, String what) {
        long n = 1;
        for (int d : shape) {
            n = checkedTimes(n, d, shape.size(), what);
        }
        return n;
    }

    private static long checkedTimes(long n, int d, int rank, String what) {
        if (d < 0) {
            throw new WireFormatException(what + ": expected dimensions >= 0, found " + d);
        }
        long product;
        try {
            product = Math.multiplyExact(n, d);
        } catch (ArithmeticException e) {
            throw new WireFormatException(what + ": expected at most " + MAX_ELEMENTS + " elements, found an overflowing"
                    + " rank-" + rank + " shape");
        }
        if (product > MAX_ELEMENTS) {
            throw new WireFormatException(what + ": expected at most " + MAX_ELEMENTS + " elements, found "
                    + product + " or more");
        }
        return product;
    }
}

package recur.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reader and writer of <a href="https://github.com/huggingface/safetensors">safetensors</a> files with F32 and
 * I64 tensors (the container of the {@code recur-rnn/1} model format, see {@code shared/specs/model-format.md}).
 *
 * <p>Layout: 8 bytes little-endian header length N, N bytes of UTF-8 JSON header, then the data section.
 * The reader validates everything before it allocates: the header length against the file size and
 * {@link #MAX_HEADER_BYTES}, the header as strict UTF-8 JSON, every tensor's dtype, shape and offsets
 * (integers, non-negative, inside the data section, not overlapping, byte count equal to dtype x shape, computed
 * with overflow checks), and {@code __metadata__} values being strings. Gaps between tensors are allowed (the
 * spec does not require a dense data section). Every problem is a {@link ModelFormatException} with a one-line
 * message naming the file and the problem. Data is copied with bulk little-endian copies from a memory-mapped
 * file, so 100+ MB files read at memory speed.
 *
 * <p>The writer lays tensors out densely in the given order, puts {@code __metadata__} first, pads the header
 * with spaces to a multiple of 8 bytes (so the data section is 8-byte aligned, as the reference implementation
 * does), and writes atomically: a temporary file in the same directory, {@code force(true)}, then an atomic
 * rename over the target.
 */
public final class Safetensors {

    /** Largest header accepted (the reference implementation uses the same 100 MB cap). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    /** Largest element count of one tensor: the largest Java array. */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    public static final String F32 = "F32";
    public static final String I64 = "I64";

    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Safetensors() {
    }

    /**
     * One tensor: dtype {@code "F32"} with {@code f32} data or {@code "I64"} with {@code i64} data (the other array
     * is null), row-major, {@code shape} product equal to the data length. A scalar has shape {@code []} and one
     * element. Arrays are not copied: the record shares them with the caller.
     */
    public record Tensor(String dtype, int[] shape, float[] f32, long[] i64) {
        public Tensor {
            if (dtype == null || shape == null) {
                throw new IllegalArgumentException("tensor dtype and shape are required");
            }
            long n = 1;
            for (int d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
                }
                n = Math.multiplyExact(n, (long) d);
            }
            switch (dtype) {
                case F32 -> {
                    if (f32 == null || i64 != null) {
                        throw new IllegalArgumentException("an F32 tensor needs f32 data and no i64 data");
                    }
                    if (f32.length != n) {
                        throw new IllegalArgumentException("F32 shape " + Arrays.toString(shape) + " holds " + n
                                + " elements but the data has " + f32.length);
                    }
                }
                case I64 -> {
                    if (i64 == null || f32 != null) {
                        throw new IllegalArgumentException("an I64 tensor needs i64 data and no f32 data");
                    }
                    if (i64.length != n) {
                        throw new IllegalArgumentException("I64 shape " + Arrays.toString(shape) + " holds " + n
                                + " elements but the data has " + i64.length);
                    }
                }
                default -> throw new IllegalArgumentException("unsupported dtype " + dtype + " (F32 or I64)");
            }
        }

        /** An F32 tensor; with no shape given it is 1-D. */
        public static Tensor f32(float[] data, int... shape) {
            return new Tensor(F32, shape.length == 0 ? new int[] {data.length} : shape, data, null);
        }

        /** An I64 tensor; with no shape given it is 1-D. */
        public static Tensor i64(long[] data, int... shape) {
            return new Tensor(I64, shape.length == 0 ? new int[] {data.length} : shape, null, data);
        }

        /** Number of elements. */
        public int numel() {
            return f32 != null ? f32.length : i64.length;
        }

        /** Bytes in the data section. */
        public long byteSize() {
            return (long) numel() * elementSize(dtype);
        }

        /** Content equality (records compare arrays by identity). */
        public boolean sameAs(Tensor o) {
            return o != null && dtype.equals(o.dtype) && Arrays.equals(shape, o.shape)
                    && Arrays.equals(f32, o.f32) && Arrays.equals(i64, o.i64);
        }

        @Override
        public String toString() {
            return dtype + " " + Arrays.toString(shape);
        }
    }

    /** A read file: its {@code __metadata__} and its tensors in header order. Both maps are unmodifiable. */
    public static final class SafetensorsFile {
        private final String name;
        private final Map<String, String> metadata;
        private final Map<String, Tensor> tensors;

        SafetensorsFile(String name, Map<String, String> metadata, Map<String, Tensor> tensors) {
            this.name = name;
            this.metadata = Collections.unmodifiableMap(metadata);
            this.tensors = Collections.unmodifiableMap(tensors);
        }

        /** The file name used in error messages. */
        public String name() {
            return name;
        }

        /** {@code __metadata__}, in file order; empty when the file has none. */
        public Map<String, String> metadata() {
            return metadata;
        }

        /** All tensors, in header order. */
        public Map<String, Tensor> tensors() {
            return tensors;
        }

        public boolean has(String tensorName) {
            return tensors.containsKey(tensorName);
        }

        /** The named tensor; a {@link ModelFormatException} naming it when it is missing. */
        public Tensor tensor(String tensorName) {
            Tensor t = tensors.get(tensorName);
            if (t == null) {
                throw new ModelFormatException(name, "missing tensor " + tensorName);
            }
            return t;
        }
    }

    static int elementSize(String dtype) {
        return switch (dtype) {
            case F32 -> 4;
            case I64 -> 8;
            default -> throw new IllegalArgumentException("unsupported dtype " + dtype);
        };
    }

    // ------------------------------------------------------------------------------------------ reading

    /** Reads and validates a file (memory-mapped; the mapping is released before returning). */
    public static SafetensorsFile read(Path path) {
        String name = path.toString();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            long size = ch.size();
            if (size < 8) {
                throw new ModelFormatException(name, "file is " + size + " bytes, too short for the 8-byte header length");
            }
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return parse(all, name);
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot read: " + e, e);
        }
    }

    /** Reads and validates a file held in memory; {@code name} is used in error messages. */
    public static SafetensorsFile read(byte[] bytes, String name) {
        if (bytes.length < 8) {
            throw new ModelFormatException(name, "file is " + bytes.length
                    + " bytes, too short for the 8-byte header length");
        }
        return parse(MemorySegment.ofArray(bytes), name);
    }

    private record Entry(String name, String dtype, int[] shape, long begin, long end) {
    }

    private static SafetensorsFile parse(MemorySegment all, String file) {
        long size = all.byteSize();
        long n = all.get(LE_LONG, 0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new ModelFormatException(file, "header length " + Long.toUnsignedString(n)
                    + " exceeds the " + MAX_HEADER_BYTES + "-byte limit");
        }
        if (n > size - 8) {
            throw new ModelFormatException(file, "header length " + n + " runs past the end of the file ("
                    + size + " bytes; truncated?)");
        }
        if (n < 2) {
            throw new ModelFormatException(file, "header length " + n + " is too short for a JSON object");
        }
        byte[] headerBytes = all.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
        String headerText;
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(headerBytes));
            headerText = cb.toString();
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(file, "header is not valid UTF-8", e);
        }
        Object parsed;
        try {
            parsed = Json.parse(headerText);
        } catch (Json.JsonException e) {
            throw new ModelFormatException(file, "header is not valid JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> header)) {
            throw new ModelFormatException(file, "header is a JSON " + Json.typeName(parsed) + ", not an object");
        }
        long dataStart = 8 + n;
        long dataLen = size - dataStart;

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String key = (String) e.getKey();
            Object v = e.getValue();
            if (key.equals("__metadata__")) {
                if (!(v instanceof Map<?, ?> meta)) {
                    throw new ModelFormatException(file, "__metadata__ is a JSON " + Json.typeName(v)
                            + ", not an object of strings");
                }
                for (Map.Entry<?, ?> m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String s)) {
                        throw new ModelFormatException(file, "__metadata__ value of " + m.getKey() + " is a JSON "
                                + Json.typeName(m.getValue()) + ", not a string");
                    }
                    metadata.put((String) m.getKey(), s);
                }
                continue;
            }
            entries.add(entry(file, key, v, dataLen));
        }

        // Overlap check: sort by begin, each must start at or after the previous end.
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        Entry prev = null;
        for (Entry e : sorted) {
            if (e.begin == e.end) {
                continue; // empty tensors occupy no bytes
            }
            if (prev != null && e.begin < prev.end) {
                throw new ModelFormatException(file, "tensors " + prev.name + " " + offsets(prev) + " and "
                        + e.name + " " + offsets(e) + " overlap");
            }
            prev = e;
        }

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            long at = dataStart + e.begin;
            int count = (int) ((e.end - e.begin) / elementSize(e.dtype));
            Tensor t;
            if (e.dtype.equals(F32)) {
                float[] a = new float[count];
                MemorySegment.copy(all, LE_FLOAT, at, a, 0, count);
                t = new Tensor(F32, e.shape, a, null);
            } else {
                long[] a = new long[count];
                MemorySegment.copy(all, LE_LONG, at, a, 0, count);
                t = new Tensor(I64, e.shape, null, a);
            }
            tensors.put(e.name, t);
        }
        return new SafetensorsFile(file, metadata, tensors);
    }

    private static String offsets(Entry e) {
        return "[" + e.begin + ", " + e.end + "]";
    }

    private static Entry entry(String file, String name, Object v, long dataLen) {
        String what = "tensor " + name;
        if (!(v instanceof Map<?, ?> m)) {
            throw new ModelFormatException(file, what + ": header entry is a JSON " + Json.typeName(v)
                    + ", not an object");
        }
        Object dt = m.get("dtype");
        if (dt == null) {
            throw new ModelFormatException(file, what + ": missing dtype");
        }
        if (!(dt instanceof String dtype)) {
            throw new ModelFormatException(file, what + ": dtype is a JSON " + Json.typeName(dt) + ", not a string");
        }
        if (!dtype.equals(F32) && !dtype.equals(I64)) {
            throw new ModelFormatException(file, what + ": unknown dtype " + dtype + " (supported: F32, I64)");
        }
        Object sh = m.get("shape");
        if (!(sh instanceof List<?> shapeList)) {
            throw new ModelFormatException(file, what + (sh == null ? ": missing shape"
                    : ": shape is a JSON " + Json.typeName(sh) + ", not an array"));
        }
        if (shapeList.size() > 64) {
            throw new ModelFormatException(file, what + ": shape has " + shapeList.size() + " dimensions");
        }
        int[] shape = new int[shapeList.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = headerInt(file, what + ": shape[" + i + "]", shapeList.get(i));
            if (d > Integer.MAX_VALUE) {
                throw new ModelFormatException(file, what + ": shape[" + i + "] = " + d + " is too large");
            }
            shape[i] = (int) d;
            try {
                numel = Math.multiplyExact(numel, d);
            } catch (ArithmeticException overflow) {
                throw new ModelFormatException(file, what + ": shape " + Arrays.toString(shape) + " overflows");
            }
        }
        Object off = m.get("data_offsets");
        if (!(off instanceof List<?> offList)) {
            throw new ModelFormatException(file, what + (off == null ? ": missing data_offsets"
                    : ": data_offsets is a JSON " + Json.typeName(off) + ", not an array"));
        }
        if (offList.size() != 2) {
            throw new ModelFormatException(file, what + ": data_offsets has " + offList.size()
                    + " entries, expected [begin, end]");
        }
        long begin = headerInt(file, what + ": data_offsets[0]", offList.get(0));
        long end = headerInt(file, what + ": data_offsets[1]", offList.get(1));
        String offs = "[" + begin + ", " + end + "]";
        if (end < begin) {
            throw new ModelFormatException(file, what + ": data_offsets " + offs + " end before they begin");
        }
        if (end > dataLen) {
            throw new ModelFormatException(file, what + ": data_offsets " + offs
                    + " lie outside the data section (" + dataLen + " bytes)");
        }
        long need;
        try {
            need = Math.multiplyExact(numel, (long) elementSize(dtype));
        } catch (ArithmeticException overflow) {
            throw new ModelFormatException(file, what + ": " + dtype + " " + Arrays.toString(shape)
                    + " overflows the byte count");
        }
        if (end - begin != need) {
            throw new ModelFormatException(file, what + ": data_offsets " + offs + " hold " + (end - begin)
                    + " bytes, but " + dtype + " " + Arrays.toString(shape) + " needs " + need);
        }
        if (numel > MAX_ELEMENTS) {
            throw new ModelFormatException(file, what + ": " + numel + " elements exceed the "
                    + MAX_ELEMENTS + " a Java array holds");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /** A non-negative integer header number: rejects fractions, exponents that are not integral, negatives. */
    private static long headerInt(String file, String what, Object v) {
        if (v instanceof Long l) {
            if (l < 0) {
                throw new ModelFormatException(file, what + " is negative: " + l);
            }
            return l;
        }
        if (v instanceof Double d) {
            if (!Double.isFinite(d)) {
                throw new ModelFormatException(file, what + " is not finite: " + d);
            }
            throw new ModelFormatException(file, what + " is not an integer (or is out of range): " + d);
        }
        throw new ModelFormatException(file, what + " is a JSON " + Json.typeName(v) + ", not an integer");
    }

    // ------------------------------------------------------------------------------------------ writing

    /**
     * Writes {@code tensors} (in iteration order, densely) and {@code metadata} atomically to {@code path}:
     * a temporary file in the same directory is written, forced to disk and renamed over {@code path}.
     */
    public static void write(Path path, Map<String, String> metadata, Map<String, Tensor> tensors) {
        byte[] header = header(metadata, tensors);
        try {
            AtomicFiles.replace(path, ch -> {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(header));
                ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                for (Tensor t : tensors.values()) {
                    writeData(ch, buf, t);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot write: " + e, e);
        }
    }

    /** The whole file as bytes (for tests, small files and network transfer). */
    public static byte[] toBytes(Map<String, String> metadata, Map<String, Tensor> tensors) {
        byte[] header = header(metadata, tensors);
        long total = 8L + header.length;
        for (Tensor t : tensors.values()) {
            total += t.byteSize();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensors too large for a byte array: " + total + " bytes");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(header.length).put(header);
        for (Tensor t : tensors.values()) {
            if (t.f32() != null) {
                out.asFloatBuffer().put(t.f32());
            } else {
                out.asLongBuffer().put(t.i64());
            }
            out.position(out.position() + (int) t.byteSize());
        }
        return out.array();
    }

    private static byte[] header(Map<String, String> metadata, Map<String, Tensor> tensors) {
        Map<String, Object> h = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("metadata keys and values must not be null: " + e);
                }
            }
            h.put("__metadata__", new LinkedHashMap<>(metadata));
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (name == null || name.isEmpty() || name.equals("__metadata__")) {
                throw new IllegalArgumentException("invalid tensor name: " + name);
            }
            if (t == null) {
                throw new IllegalArgumentException("tensor " + name + " is null");
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", t.dtype());
            entry.put("shape", t.shape());
            long end = offset + t.byteSize();
            entry.put("data_offsets", new long[] {offset, end});
            offset = end;
            h.put(name, entry);
        }
        byte[] json = Json.write(h).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeData(FileChannel ch, ByteBuffer buf, Tensor t) throws IOException {
        if (t.f32() != null) {
            float[] a = t.f32();
            int per = buf.capacity() / 4;
            for (int i = 0; i < a.length; i += per) {
                int k = Math.min(per, a.length - i);
                buf.clear();
                buf.asFloatBuffer().put(a, i, k);
                buf.limit(k * 4);
                writeFully(ch, buf);
            }
        } else {
            long[] a = t.i64();
            int per = buf.capacity() / 8;
            for (int i = 0; i < a.length; i += per) {
                int k = Math.min(per, a.length - i);
                buf.clear();
                buf.asLongBuffer().put(a, i, k);
                buf.limit(k * 8);
                writeFully(ch, buf);
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

}

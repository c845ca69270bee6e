package recur.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import recur.io.Safetensors.SafetensorsFile;
import recur.io.Safetensors.Tensor;

class SafetensorsTest {

    @TempDir
    Path dir;

    private static Map<String, Tensor> sample() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("w", Tensor.f32(new float[] {1f, -2.5f, Float.MIN_VALUE, Float.MAX_VALUE, -0f, 3.25e-7f}, 2, 3));
        t.put("tokens", Tensor.i64(new long[] {0, 1, Long.MAX_VALUE, Long.MIN_VALUE}, 2, 2));
        t.put("scalar", Tensor.f32(new float[] {42f}, new int[0]));
        t.put("empty", Tensor.f32(new float[0], 0, 5));
        t.put("nan", Tensor.f32(new float[] {Float.NaN, Float.POSITIVE_INFINITY}));
        return t;
    }

    @Test
    void roundTripsF32I64AndMetadata() {
        Path p = dir.resolve("a.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "recur-rnn/1");
        meta.put("note", "ünïcödé \"quoted\"\n");
        Safetensors.write(p, meta, sample());
        SafetensorsFile f = Safetensors.read(p);
        assertEquals(meta, f.metadata());
        assertEquals(List.of("w", "tokens", "scalar", "empty", "nan"), List.copyOf(f.tensors().keySet()));
        sample().forEach((name, t) -> assertTrue(t.sameAs(f.tensor(name)), name + ": " + f.tensor(name)));
        // Same bytes from toBytes, and readable from memory too.
        byte[] bytes = Safetensors.toBytes(meta, sample());
        assertArrayEquals(bytes, readAll(p));
        SafetensorsFile g = Safetensors.read(bytes, "mem");
        assertTrue(g.tensor("tokens").sameAs(sample().get("tokens")));
        // Header is padded so the data section is 8-byte aligned.
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8);
        // No temp files left behind.
        assertEquals(1, dir.toFile().list().length);
    }

    @Test
    void writeReplacesAtomicallyAndNoMetadataIsEmpty() {
        Path p = dir.resolve("b.safetensors");
        Safetensors.write(p, Map.of("v", "1"), sample());
        Safetensors.write(p, null, Map.of("x", Tensor.f32(new float[] {7f})));
        SafetensorsFile f = Safetensors.read(p);
        assertEquals(Map.of(), f.metadata());
        assertEquals(List.of("x"), List.copyOf(f.tensors().keySet()));
        assertEquals(1, dir.toFile().list().length);
    }

    @Test
    void missingTensorIsNamed() {
        Path p = dir.resolve("c.safetensors");
        Safetensors.write(p, Map.of(), sample());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Safetensors.read(p).tensor("rnn.h"));
        assertEquals(p + ": missing tensor rnn.h", e.getMessage());
    }

    @Test
    void largeTensorRoundTrip() {
        float[] big = new float[3_000_001]; // > the 1 MB write buffer, odd length
        for (int i = 0; i < big.length; i++) {
            big[i] = i * 0.5f - 7f;
        }
        Path p = dir.resolve("big.safetensors");
        Safetensors.write(p, Map.of(), Map.of("big", Tensor.f32(big)));
        assertArrayEquals(big, Safetensors.read(p).tensor("big").f32());
    }

    @Test
    void tensorRecordValidates() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.f32(new float[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> new Tensor("F16", new int[] {1}, new float[1], null));
        assertThrows(IllegalArgumentException.class, () -> new Tensor("F32", new int[] {1}, new float[1], new long[1]));
        assertThrows(IllegalArgumentException.class, () -> Tensor.i64(new long[0], -1));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(dir.resolve("x"), Map.of(),
                Map.of("__metadata__", Tensor.f32(new float[1]))));
    }

    @Test
    void missingFileIsAnIoError() {
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> Safetensors.read(dir.resolve("nope.safetensors")));
        assertTrue(e.getMessage().contains("nope.safetensors: cannot read"), e.getMessage());
    }

    // ------------------------------------------------------------------------------------------ malformed files

    /** A file with this header text (not padded) followed by {@code dataBytes} zero bytes. */
    private Path raw(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return rawBytes(h.length, h, dataBytes);
    }

    private Path rawBytes(long declaredLength, byte[] header, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(header);
        Path p = dir.resolve("bad.safetensors");
        try {
            Files.write(p, b.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    private static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String bad(Path p) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Safetensors.read(p));
        String msg = e.getMessage();
        assertTrue(msg.startsWith(p + ": "), msg);
        assertFalse(msg.contains("\n"), msg);
        // The in-memory reader agrees.
        ModelFormatException m = assertThrows(ModelFormatException.class, () -> Safetensors.read(readAll(p), "m"));
        assertEquals(e.problem(), m.problem());
        return e.problem();
    }

    private static void assertContains(String haystack, String needle) {
        assertTrue(haystack.contains(needle), "expected '" + needle + "' in: " + haystack);
    }

    private static final String W = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";

    @Test
    void validFileForTheMalformedCases() {
        SafetensorsFile f = Safetensors.read(raw(W, 16));
        assertArrayEquals(new int[] {2, 2}, f.tensor("w").shape());
    }

    @Test
    void tooShortFile() {
        Path p = dir.resolve("short.safetensors");
        try {
            Files.write(p, new byte[] {1, 2, 3});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertContains(bad(p), "too short for the 8-byte header length");
    }

    @Test
    void truncatedFile() {
        Path full = dir.resolve("full.safetensors");
        Safetensors.write(full, Map.of(), sample());
        byte[] all = readAll(full);
        // Cut inside the header.
        Path p = dir.resolve("cut.safetensors");
        try {
            Files.write(p, Arrays.copyOf(all, 40));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertContains(bad(p), "runs past the end of the file");
        // Cut inside the data.
        try {
            Files.write(p, Arrays.copyOf(all, all.length - 3));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertContains(bad(p), "lie outside the data section");
    }

    @Test
    void hugeHeaderLength() {
        assertContains(bad(rawBytes(1L << 40, new byte[16], 0)), "header length 1099511627776 exceeds");
        assertContains(bad(rawBytes(-1L, new byte[16], 0)), "header length 18446744073709551615 exceeds");
        assertContains(bad(rawBytes(200, W.getBytes(StandardCharsets.UTF_8), 16)), "runs past the end of the file");
    }

    @Test
    void headerNotJsonObject() {
        assertContains(bad(raw("{\"w\":", 0)), "header is not valid JSON: invalid JSON at line 1 column 6");
        assertContains(bad(raw("[1, 2]", 0)), "header is a JSON array, not an object");
        byte[] notUtf8 = {'{', '"', (byte) 0xff, '"', ':', '1', '}'};
        assertContains(bad(rawBytes(notUtf8.length, notUtf8, 0)), "header is not valid UTF-8");
        assertContains(bad(raw("{\"w\": 3}", 0)), "tensor w: header entry is a JSON number, not an object");
    }

    @Test
    void emptyObjectHeaderIsValid() {
        SafetensorsFile f = Safetensors.read(raw("{}      ", 0));
        assertTrue(f.tensors().isEmpty());
    }

    @Test
    void offsetsOutsideData() {
        String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[8,24]}}";
        assertEquals("tensor w: data_offsets [8, 24] lie outside the data section (16 bytes)", bad(raw(h, 16)));
        String rev = "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}";
        assertContains(bad(raw(rev, 16)), "end before they begin");
    }

    @Test
    void overlappingOffsets() {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}";
        assertEquals("tensors a [0, 16] and b [8, 16] overlap", bad(raw(h, 16)));
    }

    @Test
    void wrongByteCount() {
        String h = "{\"rnn.weight_hh_l0\":{\"dtype\":\"F32\",\"shape\":[64,16],\"data_offsets\":[0,100]}}";
        assertEquals("tensor rnn.weight_hh_l0: data_offsets [0, 100] hold 100 bytes, but F32 [64, 16] needs 4096",
                bad(raw(h, 100)));
        String overflow = "{\"w\":{\"dtype\":\"I64\",\"shape\":[2147483647,2147483647,2147483647],"
                + "\"data_offsets\":[0,8]}}";
        assertContains(bad(raw(overflow, 8)), "overflows");
    }

    @Test
    void unknownDtype() {
        String h = "{\"w\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}";
        assertEquals("tensor w: unknown dtype BF16 (supported: F32, I64)", bad(raw(h, 4)));
        String num = "{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertContains(bad(raw(num, 4)), "dtype is a JSON number");
    }

    @Test
    void badHeaderNumbers() {
        assertContains(bad(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4)),
                "tensor w: shape[0] is negative: -1");
        assertContains(bad(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4)),
                "tensor w: shape[0] is not an integer");
        assertContains(bad(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.0]}}", 4)),
                "tensor w: data_offsets[1] is not an integer");
        assertContains(bad(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,1e999]}}", 4)),
                "number out of range");
        assertContains(bad(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 4)),
                "data_offsets[0] is negative");
        assertContains(bad(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}}", 4)),
                "shape[0] is a JSON string, not an integer");
        assertContains(bad(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4)),
                "data_offsets has 1 entries");
        assertContains(bad(raw("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4)), "tensor w: missing shape");
        assertContains(bad(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4)), "tensor w: missing data_offsets");
        assertContains(bad(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296],\"data_offsets\":[0,4]}}", 4)),
                "shape[0] = 4294967296 is too large");
    }

    @Test
    void metadataValuesMustBeStrings() {
        assertEquals("__metadata__ value of layers is a JSON number, not a string",
                bad(raw("{\"__metadata__\":{\"layers\":2}}", 0)));
        assertContains(bad(raw("{\"__metadata__\":[\"a\"]}", 0)), "__metadata__ is a JSON array");
    }
}

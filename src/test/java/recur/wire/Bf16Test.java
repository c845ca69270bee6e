package recur.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import recur.wire.proto.GradientPush;
import recur.wire.proto.Tensor;

class Bf16Test {

    @Test
    void roundsToNearestEvenAndKeepsSpecialValues() {
        assertEquals(1.0f, Bf16.round(1.0f));
        float ulp = 0x1p-7f; // bf16 spacing at 1
        assertEquals(1.0f, Bf16.round(1.0f + ulp / 2));            // tie: to even (1.0)
        assertEquals(1.0f + 2 * ulp, Bf16.round(1.0f + 3 * ulp / 2)); // tie: to even (1 + 2 ulp)
        assertEquals(1.0f + ulp, Bf16.round(1.0f + ulp * 0.75f));
        assertEquals(Float.POSITIVE_INFINITY, Bf16.round(Float.POSITIVE_INFINITY));
        assertEquals(Float.NEGATIVE_INFINITY, Bf16.round(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(Bf16.round(Float.NaN)));
        assertTrue(Float.isNaN(Bf16.round(Float.intBitsToFloat(0x7f80_0001)))); // NaN with low payload only
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(Bf16.round(-0f)));
        assertEquals(Float.POSITIVE_INFINITY, Bf16.round(Float.MAX_VALUE)); // overflows like a float cast would
    }

    @Test
    void relativeErrorIsAtMostHalfAnUlp() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 10_000; i++) {
            float x = (float) (rng.nextDouble(-1, 1) * Math.pow(10, rng.nextInt(-20, 20)));
            float r = Bf16.round(x);
            assertTrue(Math.abs(r - x) <= Math.abs(x) * 0x1p-8f, x + " -> " + r);
            assertEquals(r, Bf16.round(r), "a bf16 value is a fixed point");
        }
    }

    @Test
    void bf16TensorsRoundTripAtAwkwardSizesInHalfTheBytes() {
        for (int n : new int[] {1, 7, 15, 17, 31, 33, 1023}) {
            SplittableRandom rng = new SplittableRandom(n);
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = (float) rng.nextDouble(-3, 3);
            }
            float[] q = Bf16.rounded(a);
            Tensor t = Tensors.encodeCompact(q);
            assertEquals(Tensors.BF16, t.getDtype());
            assertEquals(2 * n, t.getData().size());
            assertArrayEquals(q, Tensors.decode(t, "t", n));
            Tensor f = Tensors.encodeCompact(a); // not bf16 values: stays float32, lossless
            assertEquals("", f.getDtype());
            assertArrayEquals(a, Tensors.decode(f, "t", n));
        }
    }

    @Test
    void aGradientPushRoundTripsAsBf16() throws Exception {
        float[] g = Bf16.rounded(new float[] {0.1f, -2.5f, 1e-3f, 7f, 0f});
        GradientMessage m = new GradientMessage(1, 4, g, 10, 10, 1.5, 0.3, 1, 2, 0, java.util.List.of());
        byte[] bytes = m.toProto().toByteArray();
        GradientMessage back = GradientMessage.fromProto(GradientPush.parseFrom(bytes));
        assertArrayEquals(g, back.grad());
        assertEquals(Tensors.BF16, m.toProto().getGrad().getDtype());
    }

    @Test
    void aBf16TensorOfTheWrongSizeIsRejected() {
        Tensor bad = Tensor.newBuilder().addShape(3).setDtype(Tensors.BF16)
                .setData(com.google.protobuf.ByteString.copyFrom(new byte[4])).build();
        WireFormatException e = org.junit.jupiter.api.Assertions.assertThrows(WireFormatException.class,
                () -> Tensors.decode(bad, "g"));
        assertTrue(e.getMessage().contains("needs 6 bytes, found 4"), e.getMessage());
        Tensor odd = Tensor.newBuilder().addShape(1).setDtype("f8").setData(com.google.protobuf.ByteString.copyFrom(
                new byte[4])).build();
        assertThrows(odd);
    }

    private static void assertThrows(Tensor t) {
        org.junit.jupiter.api.Assertions.assertThrows(WireFormatException.class, () -> Tensors.decode(t, "t"));
    }

    /** Floats of every kind: random bit patterns (NaNs with any payload, subnormals), ties, the specials. */
    private static float[] awkwardValues(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
                Float.intBitsToFloat(0x7f80_0001), Float.intBitsToFloat(0xff80_8000), Float.MAX_VALUE, -Float.MIN_VALUE,
                1.0f + 0x1p-8f, 1.0f + 3 * 0x1p-8f, Float.intBitsToFloat(0x7f7f_8000)};
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = switch (rng.nextInt(3)) {
                case 0 -> Float.intBitsToFloat(rng.nextInt());
                case 1 -> special[rng.nextInt(special.length)];
                default -> (float) rng.nextDouble(-4, 4);
            };
        }
        return a;
    }

    private static int[] bits(float[] a) {
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Float.floatToRawIntBits(a[i]);
        }
        return out;
    }

    @Test
    void theVectorRoundingMatchesItsScalarTwinBitForBit() {
        for (int n : new int[] {0, 1, 15, 16, 17, 63, 64, 65, 1000, 4099}) {
            float[] a = awkwardValues(n, n);
            float[] v = a.clone();
            float[] s = a.clone();
            Bf16.roundInPlace(v, n);
            Bf16.roundInPlaceScalar(s, n);
            assertArrayEquals(bits(s), bits(v), "n = " + n);
            int part = n / 2; // only the first part
            v = a.clone();
            s = a.clone();
            Bf16.roundInPlace(v, part);
            Bf16.roundInPlaceScalar(s, part);
            assertArrayEquals(bits(s), bits(v), "n = " + n + ", first " + part);
        }
    }

    @Test
    void theVectorExactnessCheckMatchesItsScalarTwin() {
        for (int n : new int[] {1, 15, 16, 17, 100, 4099}) {
            float[] a = Bf16.rounded(awkwardValues(n, 7 * n));
            assertTrue(Bf16.exact(a) && Bf16.exactScalar(a), "rounded values are bf16 values, n = " + n);
            for (int at : new int[] {0, n / 2, n - 1}) { // one value off anywhere, the tail included
                float[] b = a.clone();
                b[at] = Float.intBitsToFloat(Float.floatToRawIntBits(b[at]) | 1);
                assertEquals(Bf16.exactScalar(b), Bf16.exact(b), "n = " + n + ", at " + at);
                assertTrue(!Bf16.exact(b), "n = " + n + ", at " + at);
            }
        }
        assertTrue(Bf16.exact(new float[0]));
    }

    @Test
    void theVectorLinkConversionsMatchTheirScalarTwinsAtEveryOffset() {
        for (int n : new int[] {0, 1, 15, 16, 17, 33, 1000, 4099}) {
            float[] a = Bf16.rounded(awkwardValues(n + 5, 11L * n));
            for (int at : new int[] {0, 1, 5}) {
                for (long offset : new long[] {0, 2, 6}) {
                    java.lang.foreign.MemorySegment v = java.lang.foreign.MemorySegment.ofArray(new byte[2 * n + 8]);
                    java.lang.foreign.MemorySegment s = java.lang.foreign.MemorySegment.ofArray(new byte[2 * n + 8]);
                    Bf16.toBits(a, at, n, v, offset);
                    Bf16.toBitsScalar(a, at, n, s, offset);
                    assertArrayEquals(s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                            v.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), "toBits n = " + n);
                    float[] back = new float[n + 5];
                    float[] backScalar = new float[n + 5];
                    Bf16.toFloats(v, offset, back, at, n);
                    Bf16.toFloatsScalar(s, offset, backScalar, at, n);
                    assertArrayEquals(bits(backScalar), bits(back), "toFloats n = " + n);
                    for (int i = 0; i < n; i++) { // and the round trip is exact: these are bf16 values
                        assertEquals(Float.floatToRawIntBits(a[at + i]), Float.floatToRawIntBits(back[at + i]));
                    }
                }
            }
        }
    }
}

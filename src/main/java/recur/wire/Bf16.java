package recur.wire;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * bfloat16 (the upper 16 bits of an IEEE float32: sign, 8 exponent bits, 7 mantissa bits; Kalamkar
 * et al. 2019, "A Study of BFLOAT16 for Deep Learning Training") for the wire: {@code --wire bf16}
 * halves the bytes of gradients and weights. Rounding is to nearest, ties to even; NaN stays NaN and
 * infinities stay infinite. A float that is already a bf16 value round-trips exactly.
 *
 * <p>The array-wide operations run on the Vector API (a value at a time they cost ~0.2 ms per
 * 350k-value message at each end of the link, docs/performance.md); each has a scalar twin
 * ({@code ...Scalar}) that the tests hold it to, bit for bit.
 */
public final class Bf16 {
    private Bf16() {}

    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class, I.vectorShape());
    /** As many shorts as I has ints: the bf16 halves of one vector of floats. */
    private static final VectorSpecies<Short> H =
            VectorSpecies.of(short.class, VectorShape.forBitSize(I.vectorBitSize() / 2));
    private static final int HIGH = 0xffff_0000;

    /** The bf16 bits nearest to {@code x} (round to nearest even). */
    public static short fromFloat(float x) {
        int bits = Float.floatToRawIntBits(x);
        if ((bits & 0x7f80_0000) == 0x7f80_0000 && (bits & 0x007f_ffff) != 0) {
            return (short) ((bits >>> 16) | 0x0040); // NaN: keep it a (quiet) NaN
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** The float32 value of bf16 {@code bits}. */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** {@code x} rounded to the nearest bf16 value, as a float. */
    public static float round(float x) {
        return toFloat(fromFloat(x));
    }

    /** Rounds {@code a[0, n)} to bf16 values in place. */
    public static void roundInPlace(float[] a, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            IntVector bits = FloatVector.fromArray(F, a, i).reinterpretAsInts();
            VectorMask<Integer> nan = bits.and(0x7f80_0000).eq(0x7f80_0000)
                    .and(bits.and(0x007f_ffff).compare(VectorOperators.NE, 0));
            IntVector rounding = bits.lanewise(VectorOperators.LSHR, 16).and(1).add(0x7fff);
            IntVector rounded = bits.add(rounding).and(HIGH).blend(bits.and(HIGH).or(0x0040_0000), nan);
            rounded.reinterpretAsFloats().intoArray(a, i);
        }
        for (; i < n; i++) {
            a[i] = round(a[i]);
        }
    }

    /** {@link #roundInPlace}'s scalar twin. */
    public static void roundInPlaceScalar(float[] a, int n) {
        for (int i = 0; i < n; i++) {
            a[i] = round(a[i]);
        }
    }

    /** A copy of {@code a} rounded to bf16 values. */
    public static float[] rounded(float[] a) {
        float[] out = a.clone();
        roundInPlace(out, out.length);
        return out;
    }

    /** True when every value of {@code a} is a bf16 value (its low 16 bits are zero). */
    public static boolean exact(float[] a) {
        int n = a.length;
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            if (FloatVector.fromArray(F, a, i).reinterpretAsInts().and(0xffff).compare(VectorOperators.NE, 0)
                    .anyTrue()) {
                return false;
            }
        }
        for (; i < n; i++) {
            if ((Float.floatToRawIntBits(a[i]) & 0xffff) != 0) {
                return false;
            }
        }
        return true;
    }

    /** {@link #exact}'s scalar twin. */
    public static boolean exactScalar(float[] a) {
        for (float x : a) {
            if ((Float.floatToRawIntBits(x) & 0xffff) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes the upper halves of {@code v[at, at + n)} (values that are bf16 already: the rest of
     * each is dropped, not rounded) to {@code out} from byte {@code offset}, little-endian, 2 bytes each.
     */
    public static void toBits(float[] v, int at, int n, MemorySegment out, long offset) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            FloatVector.fromArray(F, v, at + i).reinterpretAsInts().lanewise(VectorOperators.LSHR, 16)
                    .convertShape(VectorOperators.I2S, H, 0).reinterpretAsShorts()
                    .intoMemorySegment(out, offset + 2L * i, ByteOrder.LITTLE_ENDIAN);
        }
        for (; i < n; i++) {
            out.set(LE_SHORT, offset + 2L * i, (short) (Float.floatToRawIntBits(v[at + i]) >>> 16));
        }
    }

    /** {@link #toBits}'s scalar twin. */
    public static void toBitsScalar(float[] v, int at, int n, MemorySegment out, long offset) {
        for (int i = 0; i < n; i++) {
            out.set(LE_SHORT, offset + 2L * i, (short) (Float.floatToRawIntBits(v[at + i]) >>> 16));
        }
    }

    /** Reads {@code n} little-endian bf16 values from {@code in} at byte {@code offset} into {@code v[at, at + n)}. */
    public static void toFloats(MemorySegment in, long offset, float[] v, int at, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            ShortVector.fromMemorySegment(H, in, offset + 2L * i, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, I, 0).reinterpretAsInts().lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats().intoArray(v, at + i);
        }
        for (; i < n; i++) {
            v[at + i] = toFloat(in.get(LE_SHORT, offset + 2L * i));
        }
    }

    /** {@link #toFloats}'s scalar twin. */
    public static void toFloatsScalar(MemorySegment in, long offset, float[] v, int at, int n) {
        for (int i = 0; i < n; i++) {
            v[at + i] = toFloat(in.get(LE_SHORT, offset + 2L * i));
        }
    }

    private static final java.lang.foreign.ValueLayout.OfShort LE_SHORT =
            java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
}

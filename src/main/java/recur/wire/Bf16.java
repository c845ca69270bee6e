package recur.wire;

/**
 * bfloat16 (the upper 16 bits of an IEEE float32: sign, 8 exponent bits, 7 mantissa bits; Kalamkar
 * et al. 2019, "A Study of BFLOAT16 for Deep Learning Training") for the wire: {@code --wire bf16}
 * halves the bytes of gradients and weights. Rounding is to nearest, ties to even; NaN stays NaN and
 * infinities stay infinite. A float that is already a bf16 value round-trips exactly.
 */
public final class Bf16 {
    private Bf16() {}

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
        for (float x : a) {
            if ((Float.floatToRawIntBits(x) & 0xffff) != 0) {
                return false;
            }
        }
        return true;
    }
}

package recur.math;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Elementary functions and reductions on vectors that give the same bits however the code runs.
 *
 * <p>Why not {@code lanewise(EXP)}, {@code lanewise(TANH)} and {@code reduceLanes(ADD)}: their results
 * are allowed to differ by an ulp and do differ between the interpreter or C1 (a scalar loop over
 * {@code Math.exp}, lanes added in order) and C2 (SVML stubs, a tree of adds). A run's first steps
 * execute before C2 has compiled the kernels, at a moment that depends on timing, so those built-ins
 * make identical runs drift apart. Everything here uses only +, *, fma, min/max, blends and bit
 * operations, which are exact and identical on every tier.
 *
 * <p>exp follows Cephes' expf (range reduction by ln 2 split in two, degree-6 polynomial, exponent
 * built in the bits); tanh uses Cephes' tanhf polynomial below 0.625 and 1 - 2/(e^{2|x|} + 1) above.
 * Both agree with the double-precision {@code Math} functions to a few float ulps.
 */
final class VectorMath {
    private VectorMath() {}

    /** The kernels' species, a constant so that C2 intrinsifies every operation. */
    private static final jdk.incubator.vector.VectorSpecies<Float> S = VectorKernels.S;

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: x + MAGIC rounds x to an integer held in the low mantissa bits. */
    private static final float MAGIC = 12582912f;
    private static final int MAGIC_BITS = 0x4B400000;
    /** exp is clamped to inputs whose result is a normal float. */
    private static final float EXP_MIN = -87f;
    private static final float EXP_MAX = 88f;

    // Polynomial coefficients and constants as vectors, made once (C2 keeps them in registers).
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);
    private static final FloatVector TWO = FloatVector.broadcast(S, 2f);
    private static final FloatVector NEG_LN2_HI = FloatVector.broadcast(S, -LN2_HI);
    private static final FloatVector NEG_LN2_LO = FloatVector.broadcast(S, -LN2_LO);
    private static final FloatVector EXP_P0 = FloatVector.broadcast(S, 1.9875691500E-4f);
    private static final FloatVector EXP_P1 = FloatVector.broadcast(S, 1.3981999507E-3f);
    private static final FloatVector EXP_P2 = FloatVector.broadcast(S, 8.3334519073E-3f);
    private static final FloatVector EXP_P3 = FloatVector.broadcast(S, 4.1665795894E-2f);
    private static final FloatVector EXP_P4 = FloatVector.broadcast(S, 1.6666665459E-1f);
    private static final FloatVector EXP_P5 = FloatVector.broadcast(S, 5.0000001201E-1f);
    private static final FloatVector TANH_P0 = FloatVector.broadcast(S, -5.70498872745E-3f);
    private static final FloatVector TANH_P1 = FloatVector.broadcast(S, 2.06390887954E-2f);
    private static final FloatVector TANH_P2 = FloatVector.broadcast(S, -5.37397155531E-2f);
    private static final FloatVector TANH_P3 = FloatVector.broadcast(S, 1.33314422036E-1f);
    private static final FloatVector TANH_P4 = FloatVector.broadcast(S, -3.33332819422E-1f);

    /** e^x per lane; NaN stays NaN. */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector t = xc.fma(LOG2E, MAGIC);               // round(x / ln 2) + MAGIC
        FloatVector n = t.sub(MAGIC);                       // round(x / ln 2)
        FloatVector r = n.fma(NEG_LN2_HI, xc);                 // x - n ln 2, in two parts for accuracy
        r = n.fma(NEG_LN2_LO, r);
        FloatVector p = EXP_P0;
        p = p.fma(r, EXP_P1);
        p = p.fma(r, EXP_P2);
        p = p.fma(r, EXP_P3);
        p = p.fma(r, EXP_P4);
        p = p.fma(r, EXP_P5);
        FloatVector er = p.fma(r.mul(r), r.add(1f));        // e^r = 1 + r + r^2 p(r)
        IntVector scaleBits = ((IntVector) t.reinterpretAsInts()).sub(MAGIC_BITS - 127).lanewise(VectorOperators.LSHL, 23);
        FloatVector y = er.mul(scaleBits.reinterpretAsFloats()); // * 2^n
        return y.blend(x, x.compare(VectorOperators.NE, x));
    }

    /** tanh(x) per lane. */
    static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        // |x| >= 0.625: 1 - 2 / (e^{2|x|} + 1), saturating at |x| = 9 where tanh rounds to 1.
        FloatVector e = exp(ax.min(9f).mul(2f));
        FloatVector large = ONE.sub(TWO.div(e.add(ONE)));
        large = large.blend(large.neg(), x.lt(0f));
        // |x| < 0.625: x + x^3 p(x^2).
        FloatVector z = x.mul(x);
        FloatVector p = TANH_P0;
        p = p.fma(z, TANH_P1);
        p = p.fma(z, TANH_P2);
        p = p.fma(z, TANH_P3);
        p = p.fma(z, TANH_P4);
        FloatVector small = p.mul(z).fma(x, x);
        VectorMask<Float> isSmall = ax.lt(0.625f);
        return large.blend(small, isSmall).blend(x, x.compare(VectorOperators.NE, x));
    }

    /** 1 / (1 + e^{-x}) per lane. */
    static FloatVector sigmoid(FloatVector x) {
        return ONE.div(exp(x.neg()).add(ONE));
    }

    /** The sum of the lanes, added in lane order (deterministic, unlike reduceLanes(ADD)). */
    static float sumInOrder(FloatVector v) {
        float s = v.lane(0);
        for (int i = 1; i < VectorKernels.L; i++) {
            s += v.lane(i);
        }
        return s;
    }
}

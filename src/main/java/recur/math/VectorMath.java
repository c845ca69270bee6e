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

    /** e^x per lane; NaN stays NaN. */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector t = xc.fma(LOG2E, MAGIC);               // round(x / ln 2) + MAGIC
        FloatVector n = t.sub(MAGIC);                       // round(x / ln 2)
        FloatVector r = n.fma(bc(n, -LN2_HI), xc);                 // x - n ln 2, in two parts for accuracy
        r = n.fma(bc(n, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, 1.9875691500E-4f);
        p = p.fma(r, bc(p, 1.3981999507E-3f));
        p = p.fma(r, bc(p, 8.3334519073E-3f));
        p = p.fma(r, bc(p, 4.1665795894E-2f));
        p = p.fma(r, bc(p, 1.6666665459E-1f));
        p = p.fma(r, bc(p, 5.0000001201E-1f));
        FloatVector er = p.fma(r.mul(r), r.add(1f));        // e^r = 1 + r + r^2 p(r)
        IntVector scaleBits = ((IntVector) t.reinterpretAsInts()).sub(MAGIC_BITS - 127).lanewise(VectorOperators.LSHL, 23);
        FloatVector y = er.mul(scaleBits.reinterpretAsFloats()); // * 2^n
        return y.blend(x, x.test(VectorOperators.IS_NAN));
    }

    /** tanh(x) per lane. */
    static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        // |x| >= 0.625: 1 - 2 / (e^{2|x|} + 1), saturating at |x| = 9 where tanh rounds to 1.
        FloatVector e = exp(ax.min(9f).mul(2f));
        FloatVector large = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(e.add(1f)));
        large = large.blend(large.neg(), x.lt(0f));
        // |x| < 0.625: x + x^3 p(x^2).
        FloatVector z = x.mul(x);
        FloatVector p = FloatVector.broadcast(S, -5.70498872745E-3f);
        p = p.fma(z, bc(p, 2.06390887954E-2f));
        p = p.fma(z, bc(p, -5.37397155531E-2f));
        p = p.fma(z, bc(p, 1.33314422036E-1f));
        p = p.fma(z, bc(p, -3.33332819422E-1f));
        FloatVector small = p.mul(z).fma(x, x);
        VectorMask<Float> isSmall = ax.lt(0.625f);
        return large.blend(small, isSmall).blend(x, x.test(VectorOperators.IS_NAN));
    }

    /** 1 / (1 + e^{-x}) per lane. */
    static FloatVector sigmoid(FloatVector x) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        return one.div(exp(x.neg()).add(one));
    }

    /** A broadcast of c in v's species (fma has no vector-times-vector-plus-scalar form). */
    private static FloatVector bc(FloatVector v, float c) {
        return FloatVector.broadcast(S, c);
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

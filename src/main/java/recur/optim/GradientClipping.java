package recur.optim;

import recur.math.Kernels;

/**
 * Gradient clipping on a flat gradient buffer (or a range {@code [from, to)} of it), with PyTorch
 * semantics.
 *
 * <ul>
 *   <li>{@link #clipNorm}: {@code torch.nn.utils.clip_grad_norm_}. {@code total_norm = sqrt(sum g^2)},
 *       {@code clip_coef = max_norm / (total_norm + 1e-6)}; when {@code clip_coef < 1} every element is
 *       multiplied by {@code clip_coef}. Returns {@code total_norm} before clipping. The coefficient is
 *       formed in float32 as PyTorch does.
 *   <li>{@link #clipValue}: {@code torch.nn.utils.clip_grad_value_}, clamps to {@code [-v, v]}.
 *   <li>{@link #finite} (on the kernels), {@link #firstNonFinite} / {@link #allFinite}: detect NaN/Inf
 *       so the caller can report and skip the step.
 * </ul>
 *
 * <p><b>Non-finite gradients.</b> When the norm is NaN or infinite, {@link #clipNorm} leaves the gradient
 * untouched (PyTorch would multiply by NaN) and returns the non-finite norm; the caller must check
 * {@code Double.isFinite(norm)} and skip the optimizer step. Clipping never turns a NaN/Inf gradient
 * into finite-looking numbers. {@link #clipValue} keeps NaN as NaN (like {@code torch.clamp}) and
 * clamps infinities to {@code ±v}, so check {@link #allFinite} before value clipping if you need to
 * detect them.
 *
 * <p>The instance remembers the coefficient of its last {@link #clipNorm} call ({@link #lastRatio()})
 * for telemetry; it is therefore not thread-safe; use one per training loop. No method allocates.
 */
public final class GradientClipping {

    /** The epsilon PyTorch adds to the norm in the clipping coefficient. */
    public static final float EPS = 1e-6f;

    private static final int EXP_MASK = 0x7f800000;

    private final Kernels k;
    private double lastRatio = 1.0;
    private double lastNorm = 0.0;

    public GradientClipping(Kernels k) {
        this.k = k;
    }

    public GradientClipping() {
        this(Kernels.get());
    }

    /**
     * Global L2 norm of {@code g[from, to)}; NaN or infinite exactly when an element is. The kernel may
     * accumulate partial sums in float; if that overflows although every element is finite (elements
     * beyond ~1e19), the sum is redone in double so a finite gradient always has a finite norm.
     */
    public double norm(float[] g, int from, int to) {
        checkRange(g, from, to);
        double ss = k.sumSquares(g, from, to - from);
        if (ss == Double.POSITIVE_INFINITY && k.firstNonFinite(g, from, to - from) < 0) {
            ss = 0;
            for (int i = from; i < to; i++) {
                double x = g[i];
                ss += x * x;
            }
        }
        return Math.sqrt(ss);
    }

    /**
     * The coefficient PyTorch would apply: {@code min(1, max_norm / (total_norm + 1e-6))} in float32.
     * Returns 1.0 when no clipping is needed and NaN when {@code totalNorm} is not finite.
     */
    public static double ratio(double totalNorm, double maxNorm) {
        if (!Double.isFinite(totalNorm)) {
            return Double.NaN;
        }
        float coef = (float) maxNorm / ((float) totalNorm + EPS);
        return coef < 1.0f ? coef : 1.0;
    }

    /** {@link #clipNorm(float[], int, int, double)} over {@code g[0, n)}. */
    public double clipNorm(float[] g, int n, double maxNorm) {
        return clipNorm(g, 0, n, maxNorm);
    }

    /**
     * Clips {@code g[from, to)} in place to global L2 norm {@code maxNorm} (PyTorch
     * {@code clip_grad_norm_}) and returns the norm before clipping. A non-finite norm is returned
     * as is and the gradient is left untouched (see the class comment); {@link #lastRatio()} is then 1.
     */
    public double clipNorm(float[] g, int from, int to, double maxNorm) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("max_norm must be a positive finite number, got " + maxNorm);
        }
        double total = norm(g, from, to);
        lastNorm = total;
        double r = ratio(total, maxNorm);
        if (Double.isNaN(r) || r >= 1.0) {
            lastRatio = 1.0;
            return total;
        }
        k.scale(g, from, (float) r, to - from);
        lastRatio = r;
        return total;
    }

    /** Coefficient applied by the last {@link #clipNorm} call: 1.0 when it did not scale the gradient. */
    public double lastRatio() {
        return lastRatio;
    }

    /** Norm before clipping seen by the last {@link #clipNorm} call. */
    public double lastNorm() {
        return lastNorm;
    }

    /** Whether the last {@link #clipNorm} call scaled the gradient. */
    public boolean lastClipped() {
        return lastRatio < 1.0;
    }

    /**
     * Clamps every element of {@code g[from, to)} to {@code [-v, v]} (PyTorch {@code clip_grad_value_})
     * and returns how many elements were changed. NaN stays NaN (and is not counted); ±Inf is clamped.
     */
    public static int clipValue(float[] g, int from, int to, float v) {
        if (!(v >= 0) || Float.isInfinite(v)) {
            throw new IllegalArgumentException("clip value must be a non-negative finite number, got " + v);
        }
        checkRange(g, from, to);
        float lo = -v;
        int clipped = 0;
        for (int i = from; i < to; i++) {
            float x = g[i];
            if (x > v) {
                g[i] = v;
                clipped++;
            } else if (x < lo) {
                g[i] = lo;
                clipped++;
            }
        }
        return clipped;
    }

    /** {@link #clipValue(float[], int, int, float)} over {@code g[0, n)}. */
    public static int clipValue(float[] g, int n, float v) {
        return clipValue(g, 0, n, v);
    }

    /**
     * {@link #allFinite} on this instance's kernels (the SIMD scan unless {@code -Drecur.scalar}): the
     * check a training step makes before it clips.
     */
    public boolean finite(float[] g, int n) {
        checkRange(g, 0, n);
        return k.firstNonFinite(g, 0, n) < 0;
    }

    /** True when every element of {@code g[0, n)} is finite (no NaN, no ±Inf). */
    public static boolean allFinite(float[] g, int n) {
        return firstNonFinite(g, 0, n) < 0;
    }

    /** Index of the first NaN/±Inf in {@code g[from, to)}, or -1 when all are finite. */
    public static int firstNonFinite(float[] g, int from, int to) {
        checkRange(g, from, to);
        final int block = 4096;
        for (int b = from; b < to; b += block) {
            int end = Math.min(to, b + block);
            // Branch-free max over the exponent bits (vectorises); only scan a block that has a hit.
            int acc = 0;
            for (int i = b; i < end; i++) {
                acc = Math.max(acc, Float.floatToRawIntBits(g[i]) & EXP_MASK);
            }
            if (acc == EXP_MASK) {
                for (int i = b; i < end; i++) {
                    if (!Float.isFinite(g[i])) {
                        return i;
                    }
                }
            }
        }
        return -1;
    }

    private static void checkRange(float[] g, int from, int to) {
        if (from < 0 || to > g.length || from > to) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") outside array of " + g.length);
        }
    }
}

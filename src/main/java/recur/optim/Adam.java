package recur.optim;

/**
 * {@code torch.optim.Adam} (PyTorch 1.13, single-tensor path, {@code amsgrad=False}) on a flat buffer,
 * in float32. With {@code t} the step number after incrementing (1 on the first step):
 *
 * <pre>
 *   g  = g + weight_decay * w                      (L2, when weight_decay != 0)
 *   m  = beta1 * m + (1 - beta1) * g
 *   v  = beta2 * v + (1 - beta2) * g * g
 *   bias_correction1 = 1 - beta1^t,  bias_correction2 = 1 - beta2^t      (double, as in Python)
 *   denom = sqrt(v) / sqrt(bias_correction2) + eps
 *   w  = w - (lr / bias_correction1) * m / denom
 * </pre>
 *
 * Exports two buffers: {@code exp_avg} (m) and {@code exp_avg_sq} (v).
 */
public final class Adam extends AbstractOptimizer {

    private final double beta1;
    private final double beta2;
    private final float eps;
    private final float weightDecay;
    private final float[] m;
    private final float[] v;

    /** PyTorch defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam(int size) {
        this(size, 0.9, 0.999, 1e-8, 0);
    }

    public Adam(int size, double beta1, double beta2, double eps, double weightDecay) {
        super(size);
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("adam: beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("adam: beta2 must be in [0, 1), got " + beta2);
        }
        if (!(eps >= 0) || !Double.isFinite(eps)) {
            throw new IllegalArgumentException("adam: eps must be >= 0, got " + eps);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("adam: weight_decay must be >= 0, got " + weightDecay);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = (float) eps;
        this.weightDecay = (float) weightDecay;
        this.m = new float[size];
        this.v = new float[size];
    }

    @Override
    public String name() {
        return "adam";
    }

    @Override
    protected float[][] buffers() {
        return new float[][] {m, v};
    }

    @Override
    public void step(float[] w, float[] g, double lr) {
        checkArgs(w, g, lr);
        long t = steps + 1;
        double bc1 = 1.0 - Math.pow(beta1, t);
        double bc2 = 1.0 - Math.pow(beta2, t);
        final float negStep = (float) -(lr / bc1);
        final float bc2Sqrt = (float) Math.sqrt(bc2);
        final float b1 = (float) beta1;
        final float b2 = (float) beta2;
        final float omb1 = (float) (1.0 - beta1);
        final float omb2 = (float) (1.0 - beta2);
        final float e = eps;
        final float wd = weightDecay;
        final float[] m = this.m;
        final float[] v = this.v;
        final int n = size;
        for (int i = 0; i < n; i++) {
            float gi = wd == 0f ? g[i] : g[i] + wd * w[i];
            float mi = m[i] * b1 + omb1 * gi;
            float vi = v[i] * b2 + omb2 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            float denom = (float) Math.sqrt(vi) / bc2Sqrt + e;
            w[i] = w[i] + negStep * mi / denom;
        }
        steps = t;
    }

    @Override
    public String describe() {
        return "adam(beta1=" + beta1 + ", beta2=" + beta2 + ", eps=" + eps + ", weight_decay=" + weightDecay + ")";
    }
}

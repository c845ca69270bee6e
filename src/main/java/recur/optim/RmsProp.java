package recur.optim;

/**
 * {@code torch.optim.RMSprop} (PyTorch 1.13) on a flat buffer, in float32:
 *
 * <pre>
 *   g   = g + weight_decay * w                     (when weight_decay != 0)
 *   sq  = alpha * sq + (1 - alpha) * g * g
 *   centered:  ga = alpha * ga + (1 - alpha) * g;  avg = sqrt(sq - ga * ga) + eps
 *   else:      avg = sqrt(sq) + eps
 *   momentum > 0:  b = momentum * b + g / avg;  w = w - lr * b      (b starts at 0)
 *   else:          w = w - lr * g / avg
 * </pre>
 *
 * Defaults as PyTorch: alpha 0.99, eps 1e-8, no momentum, not centered. Exports the buffers
 * {@code square_avg}, then {@code momentum_buffer} (when momentum > 0), then {@code grad_avg} (when
 * centered).
 */
public final class RmsProp extends AbstractOptimizer {

    private final float alpha;
    private final float oneMinusAlpha;
    private final float eps;
    private final float weightDecay;
    private final float momentum;
    private final boolean centered;
    private final float[] sq;
    private final float[] mom;
    private final float[] gavg;

    public RmsProp(int size) {
        this(size, 0.99, 1e-8, 0, 0, false);
    }

    public RmsProp(int size, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        super(size);
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("rmsprop: alpha must be in [0, 1], got " + alpha);
        }
        if (!(eps >= 0) || !Double.isFinite(eps)) {
            throw new IllegalArgumentException("rmsprop: eps must be >= 0, got " + eps);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("rmsprop: weight_decay must be >= 0, got " + weightDecay);
        }
        if (!(momentum >= 0) || !Double.isFinite(momentum)) {
            throw new IllegalArgumentException("rmsprop: momentum must be >= 0, got " + momentum);
        }
        this.alpha = (float) alpha;
        this.oneMinusAlpha = (float) (1.0 - alpha);
        this.eps = (float) eps;
        this.weightDecay = (float) weightDecay;
        this.momentum = (float) momentum;
        this.centered = centered;
        this.sq = new float[size];
        this.mom = momentum > 0 ? new float[size] : null;
        this.gavg = centered ? new float[size] : null;
    }

    @Override
    public String name() {
        return "rmsprop";
    }

    @Override
    protected float[][] buffers() {
        if (mom != null && gavg != null) {
            return new float[][] {sq, mom, gavg};
        }
        if (mom != null) {
            return new float[][] {sq, mom};
        }
        if (gavg != null) {
            return new float[][] {sq, gavg};
        }
        return new float[][] {sq};
    }

    @Override
    public void step(float[] w, float[] g, double lr) {
        checkArgs(w, g, lr);
        final float negLr = (float) -lr;
        final float a = alpha;
        final float oma = oneMinusAlpha;
        final float e = eps;
        final float wd = weightDecay;
        final float mu = momentum;
        final float[] sq = this.sq;
        final int n = size;
        if (mom == null && gavg == null) {
            for (int i = 0; i < n; i++) {
                float gi = wd == 0f ? g[i] : g[i] + wd * w[i];
                float si = sq[i] * a + oma * gi * gi;
                sq[i] = si;
                float avg = (float) Math.sqrt(si) + e;
                w[i] = w[i] + negLr * gi / avg;
            }
        } else {
            final float[] b = mom;
            final float[] ga = gavg;
            for (int i = 0; i < n; i++) {
                float gi = wd == 0f ? g[i] : g[i] + wd * w[i];
                float si = sq[i] * a + oma * gi * gi;
                sq[i] = si;
                float avg;
                if (ga != null) {
                    float gai = ga[i] * a + oma * gi;
                    ga[i] = gai;
                    avg = (float) Math.sqrt(si + -1f * gai * gai) + e;
                } else {
                    avg = (float) Math.sqrt(si) + e;
                }
                if (b != null) {
                    float bi = b[i] * mu + gi / avg;
                    b[i] = bi;
                    w[i] = w[i] + negLr * bi;
                } else {
                    w[i] = w[i] + negLr * gi / avg;
                }
            }
        }
        steps++;
    }

    @Override
    public String describe() {
        return "rmsprop(alpha=" + alpha + ", eps=" + eps + ", weight_decay=" + weightDecay + ", momentum=" + momentum
                + ", centered=" + centered + ")";
    }
}

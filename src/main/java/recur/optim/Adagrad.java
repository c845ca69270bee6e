package recur.optim;

import java.util.Arrays;

/**
 * {@code torch.optim.Adagrad} (PyTorch 1.13) on a flat buffer, in float32. With {@code t} the step
 * number after incrementing:
 *
 * <pre>
 *   g   = g + weight_decay * w                     (when weight_decay != 0)
 *   clr = lr / (1 + (t - 1) * lr_decay)
 *   state_sum = state_sum + g * g                  (starts at initial_accumulator_value)
 *   w   = w - clr * g / (sqrt(state_sum) + eps)
 * </pre>
 *
 * Defaults as PyTorch: lr_decay 0, initial_accumulator_value 0, eps 1e-10. Exports one buffer
 * ({@code sum}).
 */
public final class Adagrad extends AbstractOptimizer {

    private final double lrDecay;
    private final float eps;
    private final float weightDecay;
    private final float initialAccumulator;
    private final float[] sum;

    public Adagrad(int size) {
        this(size, 0, 0, 0, 1e-10);
    }

    public Adagrad(int size, double lrDecay, double weightDecay, double initialAccumulator, double eps) {
        super(size);
        if (!(lrDecay >= 0) || !Double.isFinite(lrDecay)) {
            throw new IllegalArgumentException("adagrad: lr_decay must be >= 0, got " + lrDecay);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("adagrad: weight_decay must be >= 0, got " + weightDecay);
        }
        if (!(initialAccumulator >= 0) || !Double.isFinite(initialAccumulator)) {
            throw new IllegalArgumentException("adagrad: initial_accumulator_value must be >= 0, got "
                    + initialAccumulator);
        }
        if (!(eps >= 0) || !Double.isFinite(eps)) {
            throw new IllegalArgumentException("adagrad: eps must be >= 0, got " + eps);
        }
        this.lrDecay = lrDecay;
        this.eps = (float) eps;
        this.weightDecay = (float) weightDecay;
        this.initialAccumulator = (float) initialAccumulator;
        this.sum = new float[size];
        Arrays.fill(sum, this.initialAccumulator);
    }

    @Override
    public String name() {
        return "adagrad";
    }

    @Override
    protected float[][] buffers() {
        return new float[][] {sum};
    }

    @Override
    public void step(float[] w, float[] g, double lr) {
        checkArgs(w, g, lr);
        long t = steps + 1;
        final float negClr = (float) -(lr / (1.0 + (t - 1) * lrDecay));
        final float e = eps;
        final float wd = weightDecay;
        final float[] s = sum;
        final int n = size;
        for (int i = 0; i < n; i++) {
            float gi = wd == 0f ? g[i] : g[i] + wd * w[i];
            float si = s[i] + gi * gi;
            s[i] = si;
            float std = (float) Math.sqrt(si) + e;
            w[i] = w[i] + negClr * gi / std;
        }
        steps = t;
    }

    @Override
    public String describe() {
        return "adagrad(lr_decay=" + lrDecay + ", weight_decay=" + weightDecay + ", initial_accumulator_value="
                + initialAccumulator + ", eps=" + eps + ")";
    }
}

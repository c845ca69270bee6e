package recur.optim;

/**
 * {@code torch.optim.SGD} (PyTorch 1.13, {@code maximize=False}) on a flat buffer, in float32:
 *
 * <pre>
 *   d = g + weight_decay * w                      (when weight_decay != 0)
 *   momentum != 0:  b = d                          on the first step
 *                   b = momentum * b + (1 - dampening) * d   afterwards
 *                   d = nesterov ? d + momentum * b : b
 *   w = w - lr * d
 * </pre>
 *
 * With {@code momentum == 0} the optimizer is called "sgd" and has no buffers; otherwise it is called
 * "momentum" and exports one buffer (the momentum buffer).
 */
public final class Sgd extends AbstractOptimizer {

    private final float momentum;
    private final float dampening;
    private final float weightDecay;
    private final boolean nesterov;
    private final float[] buf;

    /** Plain SGD without momentum or weight decay. */
    public Sgd(int size) {
        this(size, 0, 0, 0, false);
    }

    public Sgd(int size, double momentum, double dampening, double weightDecay, boolean nesterov) {
        super(size);
        if (!(momentum >= 0) || !Double.isFinite(momentum)) {
            throw new IllegalArgumentException("sgd: momentum must be >= 0, got " + momentum);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("sgd: weight_decay must be >= 0, got " + weightDecay);
        }
        if (!Double.isFinite(dampening)) {
            throw new IllegalArgumentException("sgd: dampening must be finite, got " + dampening);
        }
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("sgd: nesterov momentum requires a momentum and zero dampening");
        }
        this.momentum = (float) momentum;
        this.dampening = (float) dampening;
        this.weightDecay = (float) weightDecay;
        this.nesterov = nesterov;
        this.buf = momentum != 0 ? new float[size] : null;
    }

    @Override
    public String name() {
        return buf != null ? "momentum" : "sgd";
    }

    @Override
    protected float[][] buffers() {
        return buf != null ? new float[][] {buf} : new float[0][];
    }

    @Override
    public void step(float[] w, float[] g, double lr) {
        checkArgs(w, g, lr);
        final int n = size;
        final float negLr = (float) -lr;
        final float wd = weightDecay;
        if (buf == null) {
            if (wd == 0f) {
                for (int i = 0; i < n; i++) {
                    w[i] = w[i] + negLr * g[i];
                }
            } else {
                for (int i = 0; i < n; i++) {
                    float d = g[i] + wd * w[i];
                    w[i] = w[i] + negLr * d;
                }
            }
        } else {
            final float[] b = buf;
            final float mu = momentum;
            final float oneMinusDamp = (float) (1.0 - (double) dampening);
            final boolean first = steps == 0;
            for (int i = 0; i < n; i++) {
                float d = wd == 0f ? g[i] : g[i] + wd * w[i];
                float bi = first ? d : b[i] * mu + oneMinusDamp * d;
                b[i] = bi;
                float u = nesterov ? d + mu * bi : bi;
                w[i] = w[i] + negLr * u;
            }
        }
        steps++;
    }

    @Override
    public String describe() {
        if (buf == null) {
            return "sgd(weight_decay=" + weightDecay + ")";
        }
        return "momentum(momentum=" + momentum + ", dampening=" + dampening + ", weight_decay=" + weightDecay
                + ", nesterov=" + nesterov + ")";
    }
}

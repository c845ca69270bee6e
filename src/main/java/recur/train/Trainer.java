package recur.train;

import java.util.function.Consumer;
import recur.data.WindowSource;
import recur.math.Kernels;
import recur.model.ModelSpec;
import recur.nn.Network;
import recur.nn.RecurrentState;
import recur.nn.Window;
import recur.optim.GradientClipping;
import recur.optim.LearningRateSchedule;
import recur.optim.Optimizer;

/**
 * Single-process truncated-BPTT training: per step one window of k steps for all B streams, the
 * gradient of the window's mean loss, value clipping, global-norm clipping, one optimizer update.
 * A non-finite gradient is reported and never applied. This is the reference the distributed sync
 * mode is tested against.
 *
 * <p>Call order: construct, then {@link #step()} repeatedly (or {@link #run}); {@link #params()} is the
 * live parameter buffer.
 */
public final class Trainer {
    private final ModelSpec spec;
    private final Network net;
    private final WindowSource streams;
    private final Window window;
    private final RecurrentState state;
    private final float[] params;
    private final float[] grad;
    private final Optimizer optimizer;
    private final LearningRateSchedule schedule;
    private final GradientClipping clipping;
    private final double clipNorm;
    private final float clipValue;
    private long step;
    private long skipped;

    public Trainer(ModelSpec spec, float[] params, WindowSource streams, int window, Optimizer optimizer,
                   LearningRateSchedule schedule, double clipNorm, double clipValue, Kernels k) {
        this.spec = spec;
        this.params = params;
        this.streams = streams;
        this.net = new Network(spec, streams.streams(), window, k);
        if (params.length != net.layout().size()) {
            throw new IllegalArgumentException("parameter buffer has " + params.length + " floats, the model needs "
                    + net.layout().size());
        }
        this.window = net.newWindow();
        this.state = net.newState();
        this.grad = new float[params.length];
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.clipping = new GradientClipping(k);
        this.clipNorm = clipNorm;
        this.clipValue = (float) clipValue;
    }

    /** One window and one update. */
    public StepStats step() {
        long t0 = System.nanoTime();
        streams.next(window, state);
        double loss = net.forwardBackward(params, grad, window, state);
        int n = params.length;
        boolean finite = Double.isFinite(loss) && clipping.finite(grad, n);
        double norm = Double.NaN;
        double ratio = 1.0;
        if (finite) {
            if (clipValue > 0) {
                GradientClipping.clipValue(grad, n, clipValue);
            }
            if (clipNorm > 0) {
                norm = clipping.clipNorm(grad, n, clipNorm); // the norm before clipping
                ratio = clipping.lastRatio();
            } else {
                norm = clipping.norm(grad, 0, n);
            }
            optimizer.step(params, grad, schedule.lr(step));
        } else {
            skipped++;
        }
        step++;
        double seconds = (System.nanoTime() - t0) / 1e9;
        long tokens = (long) window.rows();
        return new StepStats(step, loss, tokens, tokens / seconds, norm, ratio, !finite, seconds);
    }

    /** Runs {@code steps} steps, reporting each. */
    public void run(long steps, Consumer<StepStats> progress) {
        for (long i = 0; i < steps; i++) {
            progress.accept(step());
        }
    }

    public float[] params() {
        return params;
    }

    public ModelSpec spec() {
        return spec;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public RecurrentState state() {
        return state;
    }

    public WindowSource streams() {
        return streams;
    }

    public long steps() {
        return step;
    }

    /** Steps whose gradient was not finite and was therefore not applied. */
    public long skippedSteps() {
        return skipped;
    }
}

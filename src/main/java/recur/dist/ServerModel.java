package recur.dist;

import java.util.ArrayList;
import java.util.List;
import recur.math.Kernels;
import recur.optim.GradientClipping;
import recur.optim.LearningRateSchedule;
import recur.optim.Optimizer;
import recur.optim.OptimizerState;
import recur.wire.Pool;
import recur.wire.Pooled;
import recur.wire.GradientMessage;
import recur.wire.Tensors;
import recur.wire.proto.Checkpoint;

/**
 * The parameter server's math, blind to the transport: the flat parameters, the optimizer and its
 * state, the version (optimizer steps taken, counting skipped ones, as the single-process trainer
 * does). Gradients are combined in the order given (the server passes them sorted by worker id, so
 * a run is reproducible), weighted by their loss counts; then value clipping, global norm clipping
 * and one optimizer step at the schedule's rate for this version, as {@code recur.train.Trainer} does
 * for one process. Runs on the server's compute lane; one caller at a time.
 */
final class ServerModel {

    /**
     * What one update did; {@code weights} is a snapshot of the new version in a pooled buffer, which
     * the caller holds (one reference) and releases when no one reads it any more.
     */
    record Update(long version, Pooled<float[]> weights, double norm, double clipRatio, boolean skipped,
                  double applyMs) {
        float[] params() {
            return weights.value();
        }
    }

    /** Free snapshots kept: in steady state the previous version's is released before the next is taken. */
    private static final int POOLED = 8;

    private final float[] params;    // (P)
    private final float[] avg;       // (P)
    private final Optimizer optimizer;
    private final LearningRateSchedule schedule;
    private final GradientClipping clipping;
    private final Kernels kernels;
    private final double clipNorm;
    private final float clipValue;
    private final Pool<float[]> snapshots;
    private long version;
    private long skipped;

    ServerModel(float[] params, Optimizer optimizer, LearningRateSchedule schedule, double clipNorm, double clipValue,
                Kernels k) {
        this.params = params;
        this.avg = new float[params.length];
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.clipping = new GradientClipping(k);
        this.kernels = k;
        this.clipNorm = clipNorm;
        this.clipValue = (float) clipValue;
        int n = params.length;
        this.snapshots = new Pool<>(() -> new float[n], POOLED);
    }

    int size() {
        return params.length;
    }

    /** The kernels this model computes with (the lane's other scans of gradients use them too). */
    Kernels kernels() {
        return kernels;
    }

    long version() {
        return version;
    }

    long skipped() {
        return skipped;
    }

    /** A copy of the current parameters in an array of its own (the final result, a slice's master copy). */
    float[] snapshot() {
        return params.clone();
    }

    /** Averages {@code grads} (weights: loss counts, in list order), clips and steps. */
    Update apply(List<GradientMessage> grads) {
        long t0 = System.nanoTime();
        average(grads);
        return step(t0, clipping.finite(avg, params.length));
    }

    /**
     * What {@link #applyChecked} did: the update (null when every push had NaN or infinity, and then
     * nothing changed), the pushes it averaged, and those it left out for NaN or infinity.
     */
    record Checked(Update update, List<GradientMessage> applied, List<GradientMessage> nonFinite) {
    }

    /**
     * {@link #apply} on the pushes without NaN or infinity, which it names. The pushes are scanned one by
     * one only when their average is not finite: a non-finite value in any push makes the average
     * non-finite (NaN spreads, an infinity times a positive weight stays infinite, times zero is NaN), so
     * in the usual round one scan of the average clears them all. Should finite pushes ever average to
     * a non-finite value (an overflow a convex combination does not make in practice), the step is
     * skipped, as {@link #apply} does.
     */
    Checked applyChecked(List<GradientMessage> grads) {
        long t0 = System.nanoTime();
        average(grads);
        if (clipping.finite(avg, params.length)) {
            return new Checked(step(t0, true), grads, List.of());
        }
        List<GradientMessage> bad = nonFinite(grads);
        if (bad.isEmpty()) {
            return new Checked(step(t0, false), grads, bad);
        }
        List<GradientMessage> good = grads.stream().filter(g -> !bad.contains(g)).toList();
        return new Checked(good.isEmpty() ? null : apply(good), good, bad);
    }

    /**
     * The pushes among {@code grads} with NaN or infinity in their gradient (an empty constant when
     * there are none).
     */
    List<GradientMessage> nonFinite(List<GradientMessage> grads) {
        List<GradientMessage> bad = List.of();
        for (int i = 0; i < grads.size(); i++) {
            GradientMessage g = grads.get(i);
            if (kernels.firstNonFinite(g.grad(), 0, g.grad().length) >= 0) {
                if (bad.isEmpty()) {
                    bad = new ArrayList<>();
                }
                bad.add(g);
            }
        }
        return bad;
    }

    /** The step after {@link #average}: clipping and the optimizer when {@code finite}, else a skipped version. */
    private Update step(long t0, boolean finite) {
        int n = params.length;
        double norm = Double.NaN;
        double ratio = 1.0;
        if (finite) {
            if (clipValue > 0) {
                GradientClipping.clipValue(avg, n, clipValue);
            }
            if (clipNorm > 0) {
                norm = clipping.clipNorm(avg, n, clipNorm);
                ratio = clipping.lastRatio();
            } else {
                norm = clipping.norm(avg, 0, n);
            }
            optimizer.step(params, avg, schedule.lr(version));
        } else {
            skipped++;
        }
        version++;
        return new Update(version, pooledSnapshot(), norm, ratio, !finite, (System.nanoTime() - t0) / 1e6);
    }

    /** One slice's part of a sharded update: the averaged slice's sum of squares, and whether it is finite. */
    record Partial(double sumSquares, boolean finite) {
    }

    /**
     * Sharded server, first half of {@link #apply} on this slice: average, finiteness, value clip, and
     * the sum of squares (the kernel's, as {@link GradientClipping#norm} takes it). The caller adds the
     * slices' sums in slice order and passes the global norm's coefficient to {@link #commit}.
     */
    Partial reduce(List<GradientMessage> grads) {
        int n = params.length;
        average(grads);
        if (!clipping.finite(avg, n)) {
            return new Partial(Double.NaN, false);
        }
        if (clipValue > 0) {
            GradientClipping.clipValue(avg, n, clipValue);
        }
        double ss = kernels.sumSquares(avg, 0, n);
        if (ss == Double.POSITIVE_INFINITY) { // float partial sums overflowed: redo in double, as norm() does
            ss = 0;
            for (int i = 0; i < n; i++) {
                double x = avg[i];
                ss += x * x;
            }
        }
        return new Partial(ss, true);
    }

    /**
     * Sharded server, second half: scales the slice reduced last by {@code ratio} (the global clip
     * coefficient from {@link GradientClipping#ratio}; 1 or NaN: no scaling) and steps, or skips the
     * step when some slice was not finite. {@code norm} is the global norm, for telemetry.
     */
    Update commit(double norm, double ratio, boolean finite) {
        long t0 = System.nanoTime();
        int n = params.length;
        double applied = 1.0;
        if (finite) {
            if (clipNorm > 0 && ratio < 1.0) {
                kernels.scale(avg, 0, (float) ratio, n);
                applied = ratio;
            }
            optimizer.step(params, avg, schedule.lr(version));
        } else {
            skipped++;
        }
        version++;
        return new Update(version, pooledSnapshot(), finite ? norm : Double.NaN, applied, !finite,
                (System.nanoTime() - t0) / 1e6);
    }

    private Pooled<float[]> pooledSnapshot() {
        Pooled<float[]> p = snapshots.acquire();
        System.arraycopy(params, 0, p.value(), 0, params.length);
        return p;
    }

    /** avg = sum of grads weighted by loss count / total, in list order. */
    private void average(List<GradientMessage> grads) {
        int n = params.length;
        long total = 0;
        for (int i = 0; i < grads.size(); i++) { // by index: no iterator a round
            total += grads.get(i).lossCount();
        }
        if (grads.size() == 1) {
            System.arraycopy(grads.getFirst().grad(), 0, avg, 0, n);
        } else {
            java.util.Arrays.fill(avg, 0f);
            for (int k = 0; k < grads.size(); k++) {
                GradientMessage g = grads.get(k);
                float weight = (float) ((double) g.lossCount() / total);
                float[] x = g.grad();
                for (int i = 0; i < n; i++) {
                    avg[i] += weight * x[i];
                }
            }
        }
    }

    /** Adds the model's part of a checkpoint: version, parameters, optimizer state. */
    void save(Checkpoint.Builder c) {
        OptimizerState s = optimizer.state();
        c.setVersion(version).setParams(Tensors.encode(params)).setOptimizer(s.name()).setOptimizerStep(s.step());
        for (float[] b : s.buffers()) {
            c.addOptimizerBuffers(Tensors.encode(b));
        }
    }

    /** Restores what {@link #save} wrote; sizes and the optimizer kind must match. */
    void restore(Checkpoint c) {
        float[] p = Tensors.decode(c.getParams(), "checkpoint parameters", params.length);
        System.arraycopy(p, 0, params, 0, params.length);
        List<float[]> buffers = new ArrayList<>();
        for (int i = 0; i < c.getOptimizerBuffersCount(); i++) {
            buffers.add(Tensors.decode(c.getOptimizerBuffers(i), "checkpoint optimizer buffer " + i));
        }
        optimizer.restore(new OptimizerState(c.getOptimizer(), c.getOptimizerStep(), buffers));
        version = c.getVersion();
    }
}

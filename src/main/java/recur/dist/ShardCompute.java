package recur.dist;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import recur.data.ShardWindows;
import recur.math.Kernels;
import recur.model.ModelSpec;
import recur.nn.Network;
import recur.nn.RecurrentState;
import recur.nn.Window;
import recur.optim.GradientClipping;
import recur.wire.GradientMessage;
import recur.wire.Pool;
import recur.wire.Pooled;
import recur.wire.ShardGrant;
import recur.wire.ShardSnapshot;

/**
 * A worker's compute, blind to the transport: the shards it owns (B streams each, with their data
 * (token text, a time series or labelled sequences: {@link ShardWindows}) and carried hidden state) and one {@link Network} for B streams shared by them. {@link #round}
 * runs one truncated-BPTT window on every shard and returns the token-weighted mean gradient,
 * locally clipped. Not thread-safe: one caller at a time (the worker runs it on its compute lane).
 * The gradient and the shard states of a round are pooled buffers ({@link Pooled}), reused once the
 * worker and the server have released them: a round allocates none in steady state.
 */
final class ShardCompute {
    /** Free buffers kept per pool: a round's buffers are held for about two rounds (see WorkerVerticle). */
    private static final int POOLED = 8;

    private static final class Shard {
        final int id;
        final ShardWindows streams;
        final RecurrentState state;

        Shard(int id, ShardWindows streams, RecurrentState state) {
            this.id = id;
            this.streams = streams;
            this.state = state;
        }
    }

    private final ModelSpec spec;
    private final int streams;
    private final int window;
    private final double clipNorm;
    private final double clipValue;
    private final Network net;
    private final Window w;
    private final float[] shardGrad;   // (P) one shard's gradient
    private final GradientClipping clipping;
    private final Map<Integer, Shard> shards = new TreeMap<>();
    private Shard[] inOrder = new Shard[0];              // shards' values in id order, walked by index in a round
    private final Pool<float[]> grads;
    private final Pool<RecurrentState> states;
    private long[] counts = new long[0];                 // (shards) loss counts of a round
    private ShardSnapshot[] snapshots = new ShardSnapshot[0];

    ShardCompute(ModelSpec spec, int streams, int window, double clipNorm, double clipValue, Kernels k) {
        this.spec = spec;
        this.streams = streams;
        this.window = window;
        this.clipNorm = clipNorm;
        this.clipValue = clipValue;
        this.net = new Network(spec, streams, window, k);
        this.w = net.newWindow();
        this.shardGrad = new float[net.layout().size()];
        this.clipping = new GradientClipping(k);
        int n = shardGrad.length;
        this.grads = new Pool<>(() -> new float[n], POOLED);
        this.states = new Pool<>(net::newState, POOLED * 2);
    }

    int parameterCount() {
        return shardGrad.length;
    }

    /** Takes over a shard: its data, position and hidden state. */
    void grant(ShardGrant g) {
        ShardWindows ts = g.data().windows(streams, window);
        ts.seek(g.state().position(), g.state().epoch());
        RecurrentState s = net.newState();
        g.state().restore(s);
        shards.put(g.state().shard(), new Shard(g.state().shard(), ts, s));
        inOrder = shards.values().toArray(new Shard[0]);
    }

    void revoke(int shard) {
        shards.remove(shard);
        inOrder = shards.values().toArray(new Shard[0]);
    }

    void revokeAll() {
        shards.clear();
        inOrder = new Shard[0];
    }

    boolean hasShards() {
        return !shards.isEmpty();
    }

    /** Predictions the loss of a window of {@code steps} steps averages over ({@link Window#lossCount}). */
    private long lossCount(int steps) {
        return switch (spec.task()) {
            case LM -> (long) steps * streams;
            case CLASSIFY -> streams;
            case REGRESSION -> (long) steps * streams * spec.output();
        };
    }

    /**
     * One window on every shard from the same parameters: the mean-loss gradients combined with
     * weights proportional to their loss counts (shard-id order), then value and norm clipping when
     * configured. The norm is always measured before clipping. Returns the push itself (no result
     * object in between: a round's garbage is counted in bytes); its gradient and shard-state buffers
     * are the caller's to release ({@link GradientMessage#release}); {@code seq} numbers the push
     * ({@link GradientMessage#seq}).
     */
    GradientMessage round(float[] params, int workerId, long version, double idleMs, long seq) {
        long t0 = System.nanoTime();
        int n = shardGrad.length;
        Pooled<float[]> gradBuffer = grads.acquire();
        float[] grad = gradBuffer.value();
        if (shards.size() > 1) {
            Arrays.fill(grad, 0f); // a reused buffer: the weighted sum below starts from zero
        }
        long tokens = 0;
        long lossCount = 0;
        double lossSum = 0;
        if (counts.length != shards.size()) { // reused while the shards stay the same
            counts = new long[shards.size()];
            snapshots = new ShardSnapshot[shards.size()];
        }
        int i = 0;
        long total = 0;
        // Loss counts are known before the compute: the window lengths of each shard.
        for (Shard s : inOrder) {
            counts[i] = lossCount(s.streams.nextSteps());
            total += counts[i++];
        }
        i = 0;
        for (Shard s : inOrder) {
            s.streams.next(w, s.state);
            // One shard (the usual case): its gradient is the push's, written straight into the pooled
            // buffer (forwardBackward zeroes it first) rather than copied there, 1.4 MB a round at charlm.
            boolean alone = shards.size() == 1;
            double loss = net.forwardBackward(params, alone ? grad : shardGrad, w, s.state);
            long count = w.lossCount(spec);
            float weight = (float) ((double) count / total);
            if (!alone) {
                for (int j = 0; j < n; j++) {
                    grad[j] += weight * shardGrad[j];
                }
            }
            tokens += w.rows();
            lossCount += count;
            lossSum += loss * count;
            snapshots[i] = ShardSnapshot.of(s.id, s.streams.position(), s.streams.epoch(), s.state, states);
            i++;
        }
        if (clipValue > 0 && clipping.finite(grad, n)) {
            GradientClipping.clipValue(grad, n, (float) clipValue);
        }
        double norm;
        double ratio = 1.0;
        if (clipNorm > 0) {
            norm = clipping.clipNorm(grad, n, clipNorm);
            ratio = clipping.lastRatio();
        } else {
            norm = clipping.norm(grad, 0, n);
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        return new GradientMessage(workerId, version, grad, tokens, lossCount, lossSum / lossCount, norm, ratio, ms, idleMs,
                List.of(snapshots), gradBuffer, seq);
    }
}

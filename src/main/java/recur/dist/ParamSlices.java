package recur.dist;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import recur.wire.GradientMessage;

/**
 * How a sharded parameter server cuts the flat parameter vector (P values, ParamLayout order) into
 * K contiguous slices, one per parameter shard: equal sizes rounded to multiples of {@link #ALIGN}
 * values, so that every kernel sees the same elements in its vector body and scalar tail as on the
 * whole vector (the optimizer is elementwise, so a slice's step is bit for bit the whole step's), and
 * the vector sum of squares forms the same float partial sums per block as on the whole vector: the
 * global norm then differs from one server's only in the order its double partial sums are added.
 * Slice 0 is owned by the parameter server itself, slices 1..K-1 by {@link ParameterSliceVerticle}s.
 */
public final class ParamSlices {
    /**
     * Slice boundaries are multiples of this many values: the largest block the vector
     * {@code sumSquares} accumulates in float (64 vectors of 16 lanes), a multiple of every unroll.
     */
    public static final int ALIGN = 1024;

    private ParamSlices() {}

    /** K+1 boundaries: slice k is {@code [b[k], b[k+1])}; every slice has at least one value when P >= K * ALIGN. */
    public static int[] bounds(int params, int shards) {
        if (shards < 1 || params < 1) {
            throw new IllegalArgumentException("need at least one shard and one parameter, got " + shards + " and "
                    + params);
        }
        int[] b = new int[shards + 1];
        for (int k = 1; k < shards; k++) {
            long cut = (long) params * k / shards;
            b[k] = (int) Math.min(params, Math.max(b[k - 1], cut / ALIGN * ALIGN));
        }
        b[shards] = params;
        for (int k = 0; k < shards; k++) {
            if (b[k + 1] <= b[k]) {
                throw new IllegalArgumentException("cannot cut " + params + " parameters into " + shards
                        + " slices of at least " + ALIGN + " values");
            }
        }
        return b;
    }

    /** Slice {@code k} of {@code full} (a copy). */
    static float[] slice(float[] full, int[] bounds, int k) {
        return Arrays.copyOfRange(full, bounds[k], bounds[k + 1]);
    }

    /**
     * A worker's push cut into K pushes: slice k of the gradient each, with the same telemetry (the
     * loss count is every slice's averaging weight); the shard states go with slice 0 only.
     */
    static List<GradientMessage> split(GradientMessage g, int[] bounds) {
        List<GradientMessage> out = new ArrayList<>(bounds.length - 1);
        for (int k = 0; k + 1 < bounds.length; k++) {
            out.add(new GradientMessage(g.workerId(), g.weightVersion(), slice(g.grad(), bounds, k), g.tokens(),
                    g.lossCount(), g.loss(), g.norm(), g.clipRatio(), g.computeMs(), g.idleMs(),
                    k == 0 ? g.shards() : List.of(), null, g.seq()));
        }
        return out;
    }
}

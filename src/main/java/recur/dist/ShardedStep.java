package recur.dist;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import recur.optim.GradientClipping;
import recur.wire.GradientMessage;
import recur.wire.WeightsMessage;
import recur.wire.WireFormat;
import recur.wire.proto.SliceCommit;
import recur.wire.proto.SliceReduce;
import recur.wire.proto.SliceReduced;

/**
 * The sharded parameter server's sync update, in two phases: every parameter shard reduces its slice
 * of the accepted pushes, then all commit with the one global clip coefficient. Slice 0 is the
 * server's own, on its lane; the others are asked over the event bus. Called on the event loop.
 */
final class ShardedStep {
    private final Vertx vertx;
    private final Addresses addresses;
    private final DistTiming timing;
    private final ComputeLane lane;
    private final ServerModel model;
    private final int psShards;
    private final double clipNorm;
    private final int[] slices;
    private final float[] latest;
    private final boolean onNodes;
    private final BiConsumer<GradientMessage, String> rejectNonFinite;

    /**
     * @param slices          parameter slice bounds ({@link ParamSlices})
     * @param latest          the caller's buffer of full weights (null: none)
     * @param onNodes         whether shards 1..K-1 run on their own nodes (--ps-shard-nodes)
     * @param rejectNonFinite counts a push a shard found bad, with the reason
     */
    ShardedStep(Vertx vertx, Addresses addresses, DistTiming timing, ComputeLane lane, ServerModel model, int psShards,
                double clipNorm, int[] slices, float[] latest, boolean onNodes,
                BiConsumer<GradientMessage, String> rejectNonFinite) {
        this.vertx = vertx;
        this.addresses = addresses;
        this.timing = timing;
        this.lane = lane;
        this.model = model;
        this.psShards = psShards;
        this.clipNorm = clipNorm;
        this.slices = slices;
        this.latest = latest;
        this.onNodes = onNodes;
        this.rejectNonFinite = rejectNonFinite;
    }

    /**
     * Sharded sync update of version {@code v}: every shard averages its slice of the accepted
     * pushes and reports its sum of squares; the global norm is the square root of their sum, added in
     * slice order; every shard then scales by the one clip coefficient and steps. Completes with this
     * server's slice-0 update, or null when every push turned out bad (a shard found NaN or a wrong
     * size in a slice: those pushes are rejected and the rest reduced again).
     */
    Future<ServerModel.Update> step(long v, List<GradientMessage> grads) {
        var opts = new DeliveryOptions().setSendTimeout(timing.deadAfter().toMillis());
        var req = SliceReduce.newBuilder().setFormat(WireFormat.VERSION).setVersion(v)
                .addAllWorkers(grads.stream().map(GradientMessage::workerId).toList()).build();
        List<Future<SliceReduced>> parts = new ArrayList<>();
        parts.add(lane.execute(() -> {
            var b = SliceReduced.newBuilder();
            // slice 0's values, as the shards check theirs
            for (GradientMessage g : model.nonFinite(grads)) {
                b.addBadWorkers(g.workerId());
            }
            ServerModel.Partial p = model.reduce(grads);
            return b.setSumSquares(p.sumSquares()).setFinite(p.finite()).build();
        }));
        for (int k = 1; k < psShards; k++) {
            int shard = k;
            parts.add(vertx.eventBus().<SliceReduced>request(addresses.slice(k, "reduce"), req, opts)
                    .map(Message::body).recover(t -> Future.failedFuture(new IllegalStateException(
                    "parameter shard " + shard + " did not reduce version " + v + ": " + t.getMessage(), t))));
        }
        return Future.all(parts).compose(all -> {
            Set<Integer> bad = new TreeSet<>();
            double ss = 0;
            boolean finite = true;
            for (var p : parts) {
                bad.addAll(p.result().getBadWorkersList());
                ss += p.result().getSumSquares();
                finite &= p.result().getFinite();
            }
            if (!bad.isEmpty()) {
                List<GradientMessage> good = new ArrayList<>();
                for (GradientMessage g : grads) {
                    if (bad.contains(g.workerId())) {
                        rejectNonFinite.accept(g, "NaN, infinity or a wrong size in a parameter shard's slice");
                    } else {
                        good.add(g);
                    }
                }
                return good.isEmpty() ? Future.succeededFuture(null) : step(v, good);
            }
            double norm = finite ? Math.sqrt(ss) : Double.NaN;
            double ratio = clipNorm > 0 ? GradientClipping.ratio(norm, clipNorm) : 1.0;
            boolean ok = finite;
            // Shards on their own nodes cannot write the caller's buffer of full weights: they send their slices.
            boolean wantParams = onNodes && latest != null;
            var commit = SliceCommit.newBuilder().setFormat(WireFormat.VERSION).setVersion(v)
                    .setRatio(ratio).setSkip(!ok).setWantParams(wantParams).build();
            List<Future<Object>> acks = new ArrayList<>();
            for (int k = 1; k < psShards; k++) {
                acks.add(vertx.eventBus().request(addresses.slice(k, "commit"), commit, opts).map(Message::body));
            }
            return Future.all(acks).compose(x -> lane.execute(() -> {
                if (wantParams) {
                    for (int k = 1; k < psShards; k++) {
                        float[] p = ((WeightsMessage) acks.get(k - 1).result()).params();
                        System.arraycopy(p, 0, latest, slices[k], p.length);
                    }
                }
                return model.commit(norm, ratio, ok);
            }));
        });
    }
}

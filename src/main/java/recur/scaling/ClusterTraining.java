package recur.scaling;

import io.vertx.core.Promise;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import recur.dist.ClusterCoordinator;
import recur.dist.ClusterOptions;
import recur.dist.DistJob;
import recur.dist.DistResult;
import recur.dist.DistTiming;
import recur.dist.NetworkEmulator;
import recur.dist.NetworkProfile;
import recur.train.StepStats;

/**
 * One grid point in cluster mode: this JVM is the parameter server on a clustered Vert.x (Hazelcast
 * on 127.0.0.1 unless a {@link ClusterPlacement} says otherwise), {@code config.workers} child JVMs are the workers
 * ({@link WorkerJvms}); a sharded server ({@code psShards} K > 1) gets K-1 parameter shard JVMs
 * beside them ({@code recur ps-shard}, {@code config.psShardNodes}). Every JVM emulates its own link
 * ({@link NetworkEmulator#installPerNode}); bytes are counted at the server (everything it sends and
 * everything workers send it) and at each shard JVM (the same for its slice), dropped messages at
 * every node. The run fails with one line when a child JVM dies or they do not all join in time.
 */
final class ClusterTraining {
    /** A worker gives up after this long without a server; the server gives up on the workers a little later. */
    static final int JOIN_WAIT_SECONDS = 120;
    private static final int JOIN_DEADLINE_SECONDS = JOIN_WAIT_SECONDS + 30;

    private ClusterTraining() {}

    /** What a run left behind: its result, bytes through the emulated network, dropped messages, worker processes. */
    record Outcome(DistResult result, long bytes, long dropped, java.util.List<ProcessHandle> workers) {
    }

    static Outcome train(DistJob job, NetworkProfile network, long seed, String clusterName, Path runDir,
                         DistTiming timing, TrainingStart start, Consumer<StepStats> listener) throws Exception {
        return train(job, ClusterPlacement.LOCAL, network, seed, clusterName, runDir, timing, start, listener);
    }

    /** As above, with the server's address and the children placed and started as {@code placement} says. */
    static Outcome train(DistJob job, ClusterPlacement placement, NetworkProfile network, long seed,
                         String clusterName, Path runDir, DistTiming timing, TrainingStart start,
                         Consumer<StepStats> listener) throws Exception {
        int n = job.config().workers;
        int shardNodes = job.config().psShards - 1;
        job.config().expectWorkers = n;
        job.config().psShardNodes = shardNodes > 0;
        job.config().psShardWait = JOIN_WAIT_SECONDS;
        NetworkEmulator[] net = new NetworkEmulator[1];
        WorkerJvms jvms = WorkerJvms.start(n, shardNodes, placement, clusterName, network, seed, runDir, JOIN_WAIT_SECONDS);
        DistResult result;
        try {
            Promise<Void> abort = Promise.promise();
            jvms.died().onFailure(abort::tryFail);
            CompletableFuture.delayedExecutor(JOIN_DEADLINE_SECONDS, TimeUnit.SECONDS).execute(() -> {
                if (!start.seen()) {
                    abort.tryFail(new IllegalStateException("the " + n + " worker JVMs did not all join within "
                            + JOIN_DEADLINE_SECONDS + " s; see " + runDir.resolve("worker-*.log")));
                }
            });
            ClusterOptions options = placement.serverOptions(clusterName, timing);
            result = ClusterCoordinator.train(job, options, listener, () -> false, vertx -> {
                start.install(vertx);
                net[0] = NetworkEmulator.installPerNode(vertx, network, seed);
            }, abort.future());
            jvms.trainingEnded();
        } finally {
            jvms.close();
        }
        return new Outcome(result, net[0].bytes() + net[0].bytesFromWorkers() + jvms.bytesOfShards(),
                net[0].dropped() + jvms.droppedByWorkers(), jvms.handles());
    }
}

package recur.dist;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import recur.train.StepStats;
import recur.train.TrainConfig;

/**
 * Cluster mode, server side: a clustered Vert.x (Hazelcast) running the parameter server, which waits
 * for {@code config.expectWorkers} workers, cuts the data into that many shards and trains. Workers
 * may join and leave while it runs; a worker whose Hazelcast member leaves is dropped at once. With
 * {@code config.psShardNodes} it first waits for the K-1 parameter shard nodes ({@link ClusterShardNode}).
 */
public final class ClusterCoordinator {
    private ClusterCoordinator() {}

    /**
     * Joins the cluster, trains to completion and leaves the cluster. Blocks the calling thread (not a
     * Vert.x thread). {@code listener} sees each version on the server's compute lane, in order;
     * {@code stop} is polled after each version.
     */
    public static DistResult train(DistJob job, ClusterOptions options, Consumer<StepStats> listener,
                                   BooleanSupplier stop) throws Exception {
        return train(job, options, listener, stop, vertx -> { }, Promise.<Void>promise().future());
    }

    /**
     * As {@link #train(DistJob, ClusterOptions, Consumer, BooleanSupplier)}; {@code prepare} sees the
     * clustered Vert.x before the server is deployed (to install a {@link NetworkEmulator}, say), and
     * the run is abandoned with {@code abort}'s failure when that fails first (a worker process the
     * caller started has died, say).
     */
    public static DistResult train(DistJob job, ClusterOptions options, Consumer<StepStats> listener,
                                   BooleanSupplier stop, Consumer<Vertx> prepare, Future<Void> abort) throws Exception {
        TrainConfig c = job.config();
        if (c.expectWorkers < 1) {
            throw new IllegalArgumentException("cluster mode needs --expect-workers N (N >= 1), got " + c.expectWorkers);
        }
        Nodes.Clustered node = Nodes.clustered(options.vertxOptions(),
                ClusterConfigs.load(options.clusterConfig(), options.clusterName())).await();
        try {
            ParameterServerVerticle server = new ParameterServerVerticle(new ParameterServerVerticle.Setup(job,
                    options.addresses(), options.timing(), c.expectWorkers, c.expectWorkers, c.out, c.resume, listener,
                    stop), node.nodeId(), options.tensorTransport() == TensorTransport.TCP
                    ? new TensorServer.Endpoint(options.host(), options.tensorPort()) : null);
            node.manager().getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
                @Override
                public void memberAdded(MembershipEvent e) {
                }

                @Override
                public void memberRemoved(MembershipEvent e) {
                    server.nodeLeft(e.getMember().getUuid().toString());
                }
            });
            prepare.accept(node.vertx());
            Promise<DistResult> outcome = Promise.promise();
            // Not awaited alone: with shard nodes the server's start waits for them, and a launcher's abort must end that.
            node.vertx().deployVerticle(server).onFailure(outcome::tryFail);
            server.done().onComplete(ar -> {
                if (ar.succeeded()) {
                    outcome.tryComplete(ar.result());
                } else {
                    outcome.tryFail(ar.cause());
                }
            });
            abort.onFailure(outcome::tryFail);
            return outcome.future().await();
        } finally {
            node.vertx().close().await();
        }
    }
}

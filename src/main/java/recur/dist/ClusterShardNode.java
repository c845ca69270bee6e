package recur.dist;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Cluster mode, parameter shard side ({@code recur ps-shard --cluster}): a clustered Vert.x running
 * one {@link ShardNodeVerticle}. Like a worker it needs no options of the run: the server, started
 * with {@code --ps-shards K --ps-shard-nodes}, sends its slice and the optimizer settings.
 */
public final class ClusterShardNode {
    private ClusterShardNode() {}

    /**
     * Joins the cluster, holds a parameter shard until the server ends training, then leaves the
     * cluster. Blocks the calling thread (not a Vert.x thread). Throws a {@link TimeoutException}
     * when no server has given this node a slice within {@code waitForServer}, and an
     * {@link IllegalStateException} (one line) when the server refuses it, fails, or leaves first.
     * {@code prepare} sees the clustered Vert.x before the shard is deployed (a network emulator, say).
     */
    public static void run(ClusterOptions options, Duration waitForServer, Consumer<Vertx> prepare) throws Exception {
        Nodes.Clustered node = Nodes.clustered(options.vertxOptions(),
                ClusterConfigs.load(options.clusterConfig(), options.clusterName())).await();
        try {
            prepare.accept(node.vertx());
            ShardNodeVerticle shard = new ShardNodeVerticle(new ShardNodeVerticle.Setup(options.addresses(),
                    options.timing(), node.nodeId(), ClusterWorker.describe()));
            node.manager().getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
                @Override
                public void memberAdded(MembershipEvent e) {
                }

                @Override
                public void memberRemoved(MembershipEvent e) {
                    shard.nodeLeft(e.getMember().getUuid().toString());
                }
            });
            node.vertx().deployVerticle(shard).await();
            try {
                io.vertx.core.Future.any(shard.assigned(), shard.ended())
                        .await(waitForServer.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new TimeoutException("no parameter server gave this shard node a slice within "
                        + waitForServer.toSeconds() + " s");
            }
            shard.ended().await();
        } finally {
            node.vertx().close().await();
        }
    }
}

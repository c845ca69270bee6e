package recur.dist;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Cluster mode, worker side: a clustered Vert.x running one {@link WorkerVerticle}. It needs no data
 * and no model options: the parameter server sends the model, the settings and its shard's tokens.
 * It waits for a server to appear, re-joins when the server restarts, and returns when the server
 * ends training.
 */
public final class ClusterWorker {
    private ClusterWorker() {}

    /**
     * Joins the cluster and works until the server ends training, then leaves the cluster. Blocks
     * the calling thread (not a Vert.x thread).
     */
    public static void run(ClusterOptions options) throws Exception {
        run(options, null);
    }

    /**
     * As {@link #run(ClusterOptions)}, but gives up with a {@link TimeoutException} when no parameter
     * server has accepted this worker within {@code waitForServer} (null: wait as long as it takes).
     */
    public static void run(ClusterOptions options, Duration waitForServer) throws Exception {
        run(options, waitForServer, vertx -> { });
    }

    /**
     * As {@link #run(ClusterOptions, Duration)}; {@code prepare} sees the clustered Vert.x before the
     * worker is deployed (to install a {@link NetworkEmulator}, say).
     */
    public static void run(ClusterOptions options, Duration waitForServer, Consumer<Vertx> prepare) throws Exception {
        Nodes.Clustered node = Nodes.clustered(options.vertxOptions(),
                ClusterConfigs.load(options.clusterConfig(), options.clusterName())).await();
        try {
            prepare.accept(node.vertx());
            WorkerVerticle worker = new WorkerVerticle(new WorkerVerticle.Setup(options.addresses(), options.timing(),
                    node.nodeId(), describe(), options.tensorTransport()));
            node.vertx().deployVerticle(worker).await();
            if (waitForServer != null) {
                try {
                    Future.any(worker.joined(), worker.finished()).await(waitForServer.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    throw new TimeoutException("no parameter server accepted this worker within "
                            + waitForServer.toSeconds() + " s");
                }
            }
            worker.finished().await();
        } finally {
            node.vertx().close().await();
        }
    }

    static String describe() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "unknown host";
        }
        return host + " pid " + ManagementFactory.getRuntimeMXBean().getPid();
    }
}

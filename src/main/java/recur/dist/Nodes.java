package recur.dist;

import com.hazelcast.config.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import recur.wire.WireCodecs;

/** Makes Vert.x instances for the trainer, registering the wire codecs once on each. */
public final class Nodes {
    private Nodes() {}

    /** A non-clustered instance (local mode). */
    public static Vertx local(VertxOptions options) {
        Vertx vertx = Vertx.builder().with(options).build();
        WireCodecs.register(vertx);
        return vertx;
    }

    public static Vertx local() {
        return local(new VertxOptions());
    }

    /** A clustered instance with the Hazelcast cluster manager on {@code hazelcast} (see {@link ClusterConfigs}). */
    public static Future<Clustered> clustered(VertxOptions options, Config hazelcast) {
        HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast);
        return Vertx.builder().with(options).withClusterManager(manager).buildClustered().map(vertx -> {
            WireCodecs.register(vertx);
            return new Clustered(vertx, manager);
        });
    }

    /** A clustered Vert.x and its cluster manager (for the node id and membership events). */
    public record Clustered(Vertx vertx, HazelcastClusterManager manager) {
        public String nodeId() {
            return manager.getNodeId();
        }
    }
}

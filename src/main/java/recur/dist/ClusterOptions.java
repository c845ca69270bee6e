package recur.dist;

import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import java.nio.file.Path;

/**
 * How a process joins the cluster: the Hazelcast configuration file (null: the built-in
 * 127.0.0.1 default), the cluster name (null: the file's), the address and port of this process's
 * event bus (weights and gradients travel there; port 0 picks a free one) and the liveness timing.
 * The cluster name also names the run's event-bus addresses, so server and workers must agree on it.
 */
public record ClusterOptions(Path clusterConfig, String clusterName, String host, int port, DistTiming timing) {

    public ClusterOptions {
        host = host == null || host.isBlank() ? "127.0.0.1" : host;
        timing = timing == null ? DistTiming.DEFAULT : timing;
    }

    /** The defaults: 127.0.0.1, built-in Hazelcast config, cluster name "recur". */
    public static ClusterOptions localhost(String clusterName) {
        return new ClusterOptions(null, clusterName, null, 0, null);
    }

    VertxOptions vertxOptions() {
        return new VertxOptions().setEventBusOptions(new EventBusOptions().setHost(host).setPort(port));
    }

    Addresses addresses() {
        return new Addresses(clusterName == null ? ClusterConfigs.DEFAULT_NAME : clusterName);
    }
}

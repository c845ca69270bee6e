package recur.dist;

import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import java.nio.file.Path;

/**
 * How a process joins the cluster: the Hazelcast configuration file (null: the built-in
 * 127.0.0.1 default), the cluster name (null: the file's), the address and port of this process's
 * event bus (port 0 picks a free one), the liveness timing, and how gradients and weights travel
 * ({@link TensorTransport}: a server with TCP listens for tensor links on {@code host} and
 * {@code tensorPort}, 0 picking a free port; a worker with TCP asks for one). The cluster name also
 * names the run's event-bus addresses, so server and workers must agree on it.
 */
public record ClusterOptions(Path clusterConfig, String clusterName, String host, int port, DistTiming timing,
                             TensorTransport tensorTransport, int tensorPort) {

    public ClusterOptions {
        host = host == null || host.isBlank() ? "127.0.0.1" : host;
        timing = timing == null ? DistTiming.DEFAULT : timing;
        tensorTransport = tensorTransport == null ? TensorTransport.BUS : tensorTransport;
        if (tensorPort < 0 || tensorPort > 65535) {
            throw new IllegalArgumentException("tensor port must be between 0 (any free port) and 65535, got "
                    + tensorPort);
        }
    }

    /** Gradients and weights on the event bus. */
    public ClusterOptions(Path clusterConfig, String clusterName, String host, int port, DistTiming timing) {
        this(clusterConfig, clusterName, host, port, timing, TensorTransport.BUS, 0);
    }

    /** The defaults: 127.0.0.1, built-in Hazelcast config, cluster name "recur", the event bus. */
    public static ClusterOptions localhost(String clusterName) {
        return new ClusterOptions(null, clusterName, null, 0, null);
    }

    /** The same options with another tensor transport. */
    public ClusterOptions withTensorTransport(TensorTransport t) {
        return new ClusterOptions(clusterConfig, clusterName, host, port, timing, t, tensorPort);
    }

    VertxOptions vertxOptions() {
        return new VertxOptions().setEventBusOptions(new EventBusOptions().setHost(host).setPort(port));
    }

    Addresses addresses() {
        return new Addresses(clusterName == null ? ClusterConfigs.DEFAULT_NAME : clusterName);
    }
}

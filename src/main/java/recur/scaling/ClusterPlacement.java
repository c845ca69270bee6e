package recur.scaling;

import java.nio.file.Path;
import java.util.List;
import recur.dist.ClusterOptions;
import recur.dist.DistTiming;

/**
 * Where a cluster-mode grid runs: the Hazelcast configuration (null: built in, 127.0.0.1 only) that
 * the server and every child use, the server's event-bus address and port, how each child JVM is
 * started (null: {@code {recur}} on this machine, as before templates existed) and the hosts the
 * children go to (empty: this machine). Children on hosts are "remote": they bind their event bus to
 * their host's address and end when the launcher's pipe to them closes instead of watching a pid.
 */
public record ClusterPlacement(Path clusterConfig, String host, int port, LaunchTemplate launch, List<String> hosts) {
    /** Everything on this machine, on 127.0.0.1: the behaviour without any placement option. */
    public static final ClusterPlacement LOCAL = new ClusterPlacement(null, "127.0.0.1", 0, null, List.of());

    public ClusterPlacement {
        host = host == null || host.isBlank() ? "127.0.0.1" : host;
        clusterConfig = clusterConfig == null ? null : clusterConfig.toAbsolutePath().normalize();
        hosts = List.copyOf(hosts);
    }

    /** Whether children run on --hosts (possibly other machines) rather than beside this JVM. */
    public boolean remote() {
        return !hosts.isEmpty();
    }

    /** The host of child {@code index} (i mod H), or null for a child on this machine. */
    String hostOf(int index) {
        return hosts.isEmpty() ? null : hosts.get(index % hosts.size());
    }

    /** The server's (this JVM's) cluster options. */
    ClusterOptions serverOptions(String clusterName, DistTiming timing) {
        return new ClusterOptions(clusterConfig, clusterName, host, port, timing);
    }
}

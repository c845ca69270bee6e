package recur.dist;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hazelcast configurations for cluster mode. Without a file the built-in default is the same as
 * {@code cluster-config/default.xml}: bind 127.0.0.1 only, TCP-IP join to 127.0.0.1 ports 5701-5720,
 * multicast, auto-detection and phone-home off, dead members noticed within about 5 seconds.
 */
public final class ClusterConfigs {
    public static final String DEFAULT_NAME = "recur";

    private ClusterConfigs() {}

    /**
     * The configuration from {@code file} (Hazelcast XML or YAML), or the built-in default when it is
     * null; {@code clusterName}, when given, replaces the file's cluster name. Phone-home is always off.
     */
    public static Config load(Path file, String clusterName) {
        Config c;
        if (file == null) {
            c = localDefault();
        } else {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("cluster config " + file + " does not exist");
            }
            try {
                c = Config.loadFromFile(file.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read cluster config " + file + ": " + e.getMessage(), e);
            }
        }
        if (clusterName != null && !clusterName.isBlank()) {
            c.setClusterName(clusterName);
        }
        c.setProperty("hazelcast.phone.home.enabled", "false");
        return c;
    }

    /** The single-machine default (see the class comment). */
    public static Config localDefault() {
        Config c = new Config();
        c.setClusterName(DEFAULT_NAME);
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.logging.type", "slf4j");
        c.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        c.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
        c.setProperty("hazelcast.socket.bind.any", "false");
        c.setProperty("hazelcast.wait.seconds.before.join", "0");
        c.setProperty("hazelcast.tcp.join.port.try.count", "20");
        NetworkConfig n = c.getNetworkConfig();
        n.setPublicAddress("127.0.0.1");
        n.setPort(5701).setPortAutoIncrement(true).setPortCount(20);
        n.getJoin().getAutoDetectionConfig().setEnabled(false);
        n.getJoin().getMulticastConfig().setEnabled(false);
        n.getJoin().getTcpIpConfig().setEnabled(true).addMember("127.0.0.1");
        n.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        // Hazelcast's own metrics (collected every 5 s, published to JMX) cost each JVM ~0.2 ms of CPU per
        // training round in C2 compiles and collection, taken from compute on a small machine; recur keeps its own.
        c.getMetricsConfig().setEnabled(false);
        c.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
                .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
        c.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
        c.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
        return c;
    }
}

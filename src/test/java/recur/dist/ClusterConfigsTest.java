package recur.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shipped Hazelcast configs: the default stays on 127.0.0.1 and says nothing to the outside. */
class ClusterConfigsTest {

    private static void assertLocalOnly(Config c) {
        var n = c.getNetworkConfig();
        assertTrue(n.getInterfaces().isEnabled());
        assertEquals(List.of("127.0.0.1"), List.copyOf(n.getInterfaces().getInterfaces()));
        assertFalse(n.getJoin().getMulticastConfig().isEnabled());
        assertFalse(n.getJoin().getAutoDetectionConfig().isEnabled());
        assertTrue(n.getJoin().getTcpIpConfig().isEnabled());
        assertEquals(List.of("127.0.0.1"), n.getJoin().getTcpIpConfig().getMembers());
        assertEquals("false", c.getProperty("hazelcast.phone.home.enabled"));
        assertEquals("false", c.getProperty("hazelcast.socket.bind.any"));
        assertTrue(c.getMultiMapConfigs().containsKey("__vertx.subs"));
        assertFalse(c.getMetricsConfig().isEnabled(), "Hazelcast's metrics collection is off");
    }

    @Test
    void theDefaultFileAndTheBuiltInDefaultBindLoopbackOnly() {
        assertLocalOnly(ClusterConfigs.load(Path.of("cluster-config", "default.xml"), null));
        assertLocalOnly(ClusterConfigs.load(null, null));
        assertEquals("recur", ClusterConfigs.load(null, null).getClusterName());
    }

    @Test
    void theClusterNameOptionWinsAndPhoneHomeIsAlwaysOff() {
        Config c = ClusterConfigs.load(Path.of("cluster-config", "multi-host-example.xml"), "run1");
        assertEquals("run1", c.getClusterName());
        assertEquals("false", c.getProperty("hazelcast.phone.home.enabled"));
        assertEquals(3, c.getNetworkConfig().getJoin().getTcpIpConfig().getMembers().size());
    }

    @Test
    void aMissingFileIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> ClusterConfigs.load(Path.of("nope.xml"), null));
        assertEquals("cluster config nope.xml does not exist", e.getMessage());
    }
}

package recur.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import recur.train.TrainConfig;
import recur.wire.GradientMessage;

/** The emulated network: latency and bandwidth within tolerance, profiles, lost messages survived. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NetworkEmulatorTest {
    private static final String WORKER = "recur.t.worker.a";

    private static GradientMessage gradient(int floats) {
        return gradient(0, floats);
    }

    private static GradientMessage gradient(int worker, int floats) {
        float[] g = new float[floats];
        java.util.Arrays.fill(g, 0.1f); // not a bf16 value: 4 bytes each on the wire
        return new GradientMessage(worker, 0, g, 1, 1, 0, 0, 1, 0, 0, List.of());
    }

    /** Sends {@code count} messages at once from the "server" to one worker; seconds until the last arrives. */
    private static double[] sendAndTime(NetworkProfile p, int count, int floats) throws Exception {
        Vertx vertx = Nodes.local();
        try {
            NetworkEmulator.install(vertx, p, 1);
            Promise<Void> all = Promise.promise();
            double[] arrivals = new double[count];
            int[] seen = {0};
            long[] t0 = {0};
            vertx.eventBus().<GradientMessage>consumer(WORKER, m -> {
                arrivals[seen[0]++] = (System.nanoTime() - t0[0]) / 1e9;
                if (seen[0] == count) {
                    all.complete();
                }
            }).completion().await();
            vertx.runOnContext(v -> {
                t0[0] = System.nanoTime();
                for (int i = 0; i < count; i++) {
                    vertx.eventBus().send(WORKER, gradient(floats));
                }
            });
            all.future().await(20, TimeUnit.SECONDS);
            return arrivals;
        } finally {
            vertx.close().await();
        }
    }

    /** Loads and compiles the event-bus paths once, so the timed tests do not measure class loading. */
    @org.junit.jupiter.api.BeforeAll
    static void warmUp() throws Exception {
        sendAndTime(NetworkProfile.parse("latency=1ms,bandwidth=1gbit"), 50, 1000);
    }

    @Test
    void latencyIsAddedWithinTolerance() throws Exception {
        double[] t = sendAndTime(NetworkProfile.parse("latency=40ms"), 9, 10);
        java.util.Arrays.sort(t);
        assertTrue(t[0] >= 0.039, "first arrival after " + t[0] + " s, expected at least 0.040");
        // the upper bound allows for a busy, shared machine (timers fire late, never early)
        assertTrue(t[t.length / 2] < 0.040 + 0.040, "median arrival after " + t[t.length / 2] + " s, expected ~0.040");
    }

    @Test
    void subMillisecondDelaysAreKeptNotRounded() throws Exception {
        // lan-10g sizes: 0.3 ms latency, which a millisecond timer rounds to 0 (delivered at once)
        double[] t = sendAndTime(NetworkProfile.parse("latency=0.3ms"), 21, 10);
        java.util.Arrays.sort(t);
        assertTrue(t[0] >= 0.000299, "first arrival after " + t[0] * 1e3 + " ms, expected at least 0.3");
        // late, never early: the upper bound allows for a busy, shared machine
        assertTrue(t[t.length / 2] < 0.0003 + 0.020, "median arrival after " + t[t.length / 2] * 1e3
                + " ms, expected ~0.3");
        // 100 KB at 10 Gbit/s: 80 us on each side, the second message queues behind the first
        double[] b = sendAndTime(NetworkProfile.parse("bandwidth=10gbit"), 2, 25_000);
        assertTrue(b[1] >= 3 * 80e-6 - 1e-6, "second arrival after " + b[1] * 1e6 + " us, expected ~240");
    }

    @Test
    void bandwidthLimitsThroughputWithinTolerance() throws Exception {
        // 8 messages of 250 KB (62,500 floats + header) at 80 Mbit/s = 10 MB/s: the last arrives after
        // ~0.2 s (+ one transfer on the receiving side, ~25 ms).
        double[] t = sendAndTime(NetworkProfile.parse("bandwidth=80mbit"), 8, 62_500);
        double expected = 8 * 250_064 * 8 / 80e6 + 250_064 * 8 / 80e6;
        double last = t[t.length - 1];
        assertTrue(Math.abs(last - expected) < 0.2 * expected, "last arrival after " + last + " s, expected " + expected);
        for (int i = 1; i < t.length; i++) {
            assertTrue(t[i] >= t[i - 1], "messages on one link arrive in order");
        }
    }

    /**
     * Per node (one JVM per node), in one Vert.x: {@code senders} workers each push one gradient of
     * {@code floats} values at once to the server; seconds until each arrives.
     */
    private static double[] pushFromWorkersPerNode(NetworkProfile p, int senders, int floats) throws Exception {
        Vertx vertx = Nodes.local();
        try {
            NetworkEmulator net = NetworkEmulator.installPerNode(vertx, p, 1);
            Promise<Void> all = Promise.promise();
            double[] arrivals = new double[senders];
            int[] seen = {0};
            long[] t0 = {0};
            vertx.eventBus().<GradientMessage>consumer("recur.t.ps.push", m -> {
                arrivals[seen[0]++] = (System.nanoTime() - t0[0]) / 1e9;
                if (seen[0] == senders) {
                    all.complete();
                }
            }).completion().await();
            vertx.runOnContext(v -> {
                t0[0] = System.nanoTime();
                for (int i = 0; i < senders; i++) {
                    vertx.eventBus().send("recur.t.ps.push", gradient(i, floats));
                }
            });
            all.future().await(20, TimeUnit.SECONDS);
            assertTrue(net.bytesFromWorkers() > (long) senders * floats * 4, "the server counts what workers send it");
            return arrivals;
        } finally {
            vertx.close().await();
        }
    }

    @Test
    void perNodeTheReceiverQueuesOnItsIncomingSide() throws Exception {
        // 8 workers send 250 KB each at 80 Mbit/s (25 ms a message): their outgoing sides work in
        // parallel, so all arrive after ~25 ms; the server's incoming side then takes them one after
        // another, the last after ~25 + 8 x 25 = 225 ms (without the inbound half: ~25 ms).
        double[] t = pushFromWorkersPerNode(NetworkProfile.parse("bandwidth=80mbit"), 8, 62_500);
        java.util.Arrays.sort(t);
        double one = 250_064 * 8 / 80e6;
        double expected = one + 8 * one;
        assertTrue(Math.abs(t[7] - expected) < 0.2 * expected, "last arrival after " + t[7] + " s, expected "
                + expected);
        assertTrue(t[0] >= 2 * one * 0.95, "first arrival after " + t[0] + " s: both sides of its link, " + 2 * one);
    }

    @Test
    void perNodeLatencyIsAddedOnceWithinTolerance() throws Exception {
        double[] t = pushFromWorkersPerNode(NetworkProfile.parse("latency=40ms"), 9, 10);
        java.util.Arrays.sort(t);
        assertTrue(t[0] >= 0.039, "first arrival after " + t[0] + " s, expected at least 0.040");
        assertTrue(t[t.length / 2] < 0.040 + 0.040, "median arrival after " + t[t.length / 2] + " s, expected ~0.040");
    }

    @Test
    void profilesParse() {
        assertEquals(NetworkProfile.WAN, NetworkProfile.parse("wan"));
        NetworkProfile p = NetworkProfile.parse("wan,loss=0,latency=2ms");
        assertEquals(2.0, p.latencyMs());
        assertEquals(0.0, p.loss());
        assertEquals(100e6, p.bitsPerSecond());
        NetworkProfile c = NetworkProfile.parse("latency=500us,bandwidth=1gbit,jitter=0.1ms,loss=0.01");
        assertEquals(0.5, c.latencyMs(), 1e-12);
        assertEquals(1e9, c.bitsPerSecond());
        assertEquals(0.01, c.loss());
        assertTrue(NetworkProfile.parse("loopback").passThrough());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> NetworkProfile.parse("moon"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> NetworkProfile.parse("loss=1.5"));
    }

    @Test
    void nodesOfTheLinks() {
        assertEquals("ps", NetworkEmulator.receiver("recur.local.ps.push"));
        assertEquals(WORKER, NetworkEmulator.receiver(WORKER));
        assertEquals("ps", NetworkEmulator.sender(WORKER, gradient(1)));
        assertEquals("w0", NetworkEmulator.sender("recur.local.ps.push", gradient(1)));
    }

    /** With 10% of all messages lost, sync and async runs still reach their last version. */
    @Test
    void lostMessagesAreResentAndTrainingFinishes() throws Exception {
        for (String mode : List.of("sync", "async")) {
            TrainConfig c = DistFixtures.config(2, 2, 12, null);
            c.mode = mode;
            c.staleness = 4;
            Vertx vertx = Nodes.local();
            try {
                NetworkEmulator net = NetworkEmulator.install(vertx, NetworkProfile.parse("loss=0.1,latency=1ms"), 5);
                DistTiming fast = new DistTiming(Duration.ofMillis(50), Duration.ofSeconds(5), Duration.ofMillis(150));
                DistResult r = LocalCluster.train(vertx, DistFixtures.job(c, DistFixtures.text(4_000)), fast, s -> { },
                        () -> false).await(50, TimeUnit.SECONDS);
                assertEquals(12, r.version(), mode);
                assertTrue(net.dropped() > 0, mode + ": the test should lose messages, lost " + net.dropped());
            } finally {
                vertx.close().await();
            }
        }
    }
}

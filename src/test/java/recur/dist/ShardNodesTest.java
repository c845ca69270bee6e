package recur.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import recur.train.TrainConfig;

/**
 * Parameter shards on their own cluster nodes (--ps-shard-nodes): several clustered Vert.x instances
 * in this JVM (Hazelcast on 127.0.0.1, random cluster name) for the server, the shard nodes and the
 * workers. The weights are those of one unsharded server; a shard node that never joins or leaves
 * mid-run ends the run with one line instead of a hang.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShardNodesTest {
    private static final DistTiming FAST = DistTiming.of(200, 2_000);

    @TempDir
    Path tmp;

    private final List<Nodes.Clustered> nodes = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void closeNodes() throws Exception {
        threads.shutdownNow();
        for (Nodes.Clustered n : nodes) {
            n.vertx().close().await(20, TimeUnit.SECONDS);
        }
    }

    private static ClusterOptions options(String name) {
        return new ClusterOptions(null, name, "127.0.0.1", 0, FAST);
    }

    private Nodes.Clustered node(ClusterOptions o) throws Exception {
        Nodes.Clustered n = Nodes.clustered(o.vertxOptions(), ClusterConfigs.load(null, o.clusterName()))
                .await(30, TimeUnit.SECONDS);
        nodes.add(n);
        return n;
    }

    private void worker(ClusterOptions o) throws Exception {
        Nodes.Clustered n = node(o);
        n.vertx().deployVerticle(new WorkerVerticle(new WorkerVerticle.Setup(o.addresses(), o.timing(), n.nodeId(),
                "in-JVM worker"))).await(30, TimeUnit.SECONDS);
    }

    private static TrainConfig config(int psShards, long steps, Path out) {
        TrainConfig c = DistFixtures.config(2, 3, steps, out);
        c.expectWorkers = 2;
        c.clipNorm = 0.1; // the global-norm clip acts, so the shards' sums of squares must add up right
        c.psShards = psShards;
        c.psShardNodes = true;
        return c;
    }

    @Test
    void shardsOnTheirOwnNodesGiveTheWeightsOfOneServer() throws Exception {
        String text = DistFixtures.text(8_000);
        ClusterOptions o = options("recur-test-" + UUID.randomUUID());
        List<Future<?>> shards = new ArrayList<>();
        for (int k = 1; k < 3; k++) {
            shards.add(threads.submit(() -> {
                ClusterShardNode.run(o, Duration.ofSeconds(60), vertx -> { });
                return null;
            }));
        }
        worker(o);
        worker(o);
        TrainConfig c = config(3, 12, tmp.resolve("nodes"));
        DistJob plain = DistFixtures.job(c, text);
        float[] latest = new float[plain.params().length];
        DistJob job = new DistJob(c, plain.spec(), plain.params(), plain.data(), null, null, latest);
        List<float[]> seen = new ArrayList<>();
        DistResult sharded = ClusterCoordinator.train(job, o, s -> seen.add(latest.clone()), () -> false);
        for (Future<?> shard : shards) {
            shard.get(30, TimeUnit.SECONDS); // each shard node ended normally when training finished
        }
        assertEquals(12, sharded.version());

        TrainConfig one = DistFixtures.config(2, 3, 12, tmp.resolve("one"));
        one.clipNorm = 0.1;
        List<float[]> oneSeen = new ArrayList<>();
        float[] oneLatest = new float[latest.length];
        DistJob oneJob = new DistJob(one, plain.spec(), plain.params(), plain.data(), null, null, oneLatest);
        DistResult unsharded = LocalCluster.train(oneJob, s -> oneSeen.add(oneLatest.clone()), () -> false);
        SameWeights.assertSame(unsharded.params(), sharded.params());
        // The caller's buffer held every version's full weights, remote slices included, when the listener ran.
        assertEquals(12, seen.size());
        for (int v = 0; v < 12; v++) {
            assertArrayEquals(oneSeen.get(v), seen.get(v), "weights the listener saw at version " + (v + 1));
        }
    }

    @Test
    void aShardNodeThatNeverJoinsEndsTheRunWithOneLine() throws Exception {
        ClusterOptions o = options("recur-test-" + UUID.randomUUID());
        TrainConfig c = config(2, 10, tmp.resolve("missing"));
        c.psShardWait = 2;
        long start = System.nanoTime();
        Exception e = assertThrows(Exception.class, () -> ClusterCoordinator.train(
                DistFixtures.job(c, DistFixtures.text(4_000)), o, s -> { }, () -> false));
        assertEquals("0 of 1 parameter shard nodes joined within 2 s: start 1 more 'recur ps-shard --cluster' "
                + "with the server's --cluster-name (and --cluster-config)", e.getMessage());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "gave up at the wait, not later");
    }

    @Test
    void aShardNodeThatLeavesMidRunEndsTheRunWithOneLine() throws Exception {
        ClusterOptions o = options("recur-test-" + UUID.randomUUID());
        Nodes.Clustered shardNode = node(o);
        ShardNodeVerticle shard = new ShardNodeVerticle(new ShardNodeVerticle.Setup(o.addresses(), o.timing(),
                shardNode.nodeId(), "in-JVM shard node"));
        shardNode.vertx().deployVerticle(shard).await(30, TimeUnit.SECONDS);
        worker(o);
        worker(o);
        TrainConfig c = config(2, 100_000, tmp.resolve("leaves"));
        Exception e = assertThrows(Exception.class, () -> ClusterCoordinator.train(
                DistFixtures.job(c, DistFixtures.text(8_000)), o, s -> {
                    if (s.step() == 3) {
                        shardNode.vertx().close();
                    }
                }, () -> false));
        String m = e.getMessage();
        assertTrue(m.startsWith("parameter shard 1 ") && (m.contains("left the cluster") || m.contains("did not")),
                m);
        assertEquals(1, m.lines().count(), m);
        assertEquals(1, shard.assigned().await(1, TimeUnit.SECONDS));
    }
}

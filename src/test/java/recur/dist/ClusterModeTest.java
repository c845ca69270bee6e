package recur.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import recur.train.TrainConfig;

/**
 * Cluster mode with several clustered Vert.x instances (Hazelcast on 127.0.0.1, TCP-IP join, random
 * cluster name) in this JVM: the same bits as local mode, and workers leaving and joining mid-run.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterModeTest {
    private static final DistTiming FAST = DistTiming.of(200, 2_000);

    @TempDir
    Path tmp;

    private final List<Nodes.Clustered> nodes = new ArrayList<>();

    @AfterEach
    void closeNodes() throws Exception {
        for (Nodes.Clustered n : nodes) {
            n.vertx().close().await(20, TimeUnit.SECONDS);
        }
    }

    private static ClusterOptions options(String name) {
        return new ClusterOptions(null, name, "127.0.0.1", 0, FAST);
    }

    private record WorkerNode(Nodes.Clustered node, WorkerVerticle worker) {
    }

    private Future<WorkerNode> worker(ClusterOptions o) {
        return Nodes.clustered(o.vertxOptions(), ClusterConfigs.load(null, o.clusterName())).compose(node -> {
            synchronized (nodes) {
                nodes.add(node);
            }
            WorkerVerticle w = new WorkerVerticle(new WorkerVerticle.Setup(o.addresses(), o.timing(), node.nodeId(),
                    "in-JVM worker"));
            return node.vertx().deployVerticle(w).map(id -> new WorkerNode(node, w));
        });
    }

    @Test
    void clusterModeGivesTheSameWeightsAsLocalMode() throws Exception {
        String text = DistFixtures.text(8_000);
        ClusterOptions o = options("recur-test-" + UUID.randomUUID());
        TrainConfig c = DistFixtures.config(2, 3, 10, tmp.resolve("cluster"));
        c.expectWorkers = 2;
        worker(o).await(30, TimeUnit.SECONDS);
        worker(o).await(30, TimeUnit.SECONDS);
        DistResult cluster = ClusterCoordinator.train(DistFixtures.job(c, text), o, s -> { }, () -> false);
        assertEquals(10, cluster.version());
        DistResult local = LocalCluster.train(DistFixtures.job(DistFixtures.config(2, 3, 10, tmp.resolve("local")), text),
                s -> { }, () -> false);
        SameWeights.assertSame(local.params(), cluster.params());
    }

    @Test
    void aWorkerLeavesAnotherJoinsAndTrainingGoesOn() throws Exception {
        ClusterOptions o = options("recur-test-" + UUID.randomUUID());
        TrainConfig c = DistFixtures.config(2, 3, 10_000, tmp.resolve("elastic"));
        c.expectWorkers = 2;
        WorkerNode first = worker(o).await(30, TimeUnit.SECONDS);
        worker(o).await(30, TimeUnit.SECONDS);
        AtomicReference<WorkerVerticle> late = new AtomicReference<>();
        AtomicLong joinedAt = new AtomicLong(-1);
        AtomicLong version = new AtomicLong();
        DistResult r = ClusterCoordinator.train(DistFixtures.job(c, DistFixtures.text(20_000)), o, s -> {
            version.set(s.step());
            if (s.step() == 5) {
                // The first worker leaves (its node closes) and a new one joins, while training runs.
                first.node().vertx().close();
                worker(o).onSuccess(w -> late.set(w.worker()));
            }
            WorkerVerticle w = late.get();
            if (w != null && w.workerId() >= 0 && joinedAt.get() < 0) {
                joinedAt.set(s.step());
            }
        }, () -> joinedAt.get() >= 0 && version.get() >= joinedAt.get() + 20);
        assertTrue(r.stopped());
        List<String> rows = Files.readAllLines(c.out.resolve("metrics.csv"));
        int workersCol = List.of(MetricsLog.HEADER.split(",")).indexOf("workers");
        long withOne = rows.stream().skip(1).filter(l -> l.split(",")[workersCol].equals("1")).count();
        String lastRow = rows.getLast();
        assertTrue(withOne >= 1, "some rounds ran on the remaining worker alone");
        assertEquals("2", lastRow.split(",")[workersCol], "the new worker took a shard: " + lastRow);
        assertTrue(late.get().finished().isComplete(), "the new worker was told training ended");
    }
}

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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import recur.train.TrainConfig;

/**
 * Cluster mode with tensor transport tcp ({@link TensorLink}): clustered Vert.x instances in this JVM
 * (Hazelcast on 127.0.0.1, random cluster name), pushes and weights on a link per worker. The same
 * bits as local mode (and so as the event bus, {@link ClusterModeTest}), and a link that dies mid-run.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TensorLinkTest {
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
        return new ClusterOptions(null, name, "127.0.0.1", 0, FAST, TensorTransport.TCP, 0);
    }

    private Future<WorkerVerticle> worker(ClusterOptions o) {
        return Nodes.clustered(o.vertxOptions(), ClusterConfigs.load(null, o.clusterName())).compose(node -> {
            synchronized (nodes) {
                nodes.add(node);
            }
            WorkerVerticle w = new WorkerVerticle(new WorkerVerticle.Setup(o.addresses(), o.timing(), node.nodeId(),
                    "in-JVM worker", TensorTransport.TCP));
            return node.vertx().deployVerticle(w).map(id -> w);
        });
    }

    @Test
    void tensorLinksGiveTheSameWeightsAsLocalMode() throws Exception {
        String text = DistFixtures.text(8_000);
        ClusterOptions o = options("recur-test-" + UUID.randomUUID());
        TrainConfig c = DistFixtures.config(2, 3, 10, tmp.resolve("cluster"));
        c.expectWorkers = 2;
        WorkerVerticle a = worker(o).await(30, TimeUnit.SECONDS);
        WorkerVerticle b = worker(o).await(30, TimeUnit.SECONDS);
        AtomicBoolean linked = new AtomicBoolean(true);
        DistResult cluster = ClusterCoordinator.train(DistFixtures.job(c, text), o, s -> {
            if (s.step() == 5) { // both workers are computing: their links are up
                linked.set(a.onTensorLink() && b.onTensorLink());
            }
        }, () -> false);
        assertEquals(10, cluster.version());
        assertTrue(linked.get(), "both workers pushed and got weights on tensor links");
        DistResult local = LocalCluster.train(DistFixtures.job(DistFixtures.config(2, 3, 10, tmp.resolve("local")), text),
                s -> { }, () -> false);
        SameWeights.assertSame(local.params(), cluster.params());
    }

    @Test
    void aWorkerWhoseLinkDiesIsDroppedAndJoinsAgain() throws Exception {
        ClusterOptions o = options("recur-test-" + UUID.randomUUID());
        TrainConfig c = DistFixtures.config(2, 3, 10_000, tmp.resolve("broken"));
        c.expectWorkers = 2;
        WorkerVerticle a = worker(o).await(30, TimeUnit.SECONDS);
        worker(o).await(30, TimeUnit.SECONDS);
        AtomicLong brokenId = new AtomicLong(Long.MAX_VALUE); // its id when its link broke (none before: the
        // server did not exist when the worker was deployed, so it had no id to read then)
        AtomicLong version = new AtomicLong();
        AtomicLong rejoinedAt = new AtomicLong(-1);
        AtomicLong pushesThen = new AtomicLong();
        DistResult r = ClusterCoordinator.train(DistFixtures.job(c, DistFixtures.text(20_000)), o, s -> {
            version.set(s.step());
            if (s.step() == 5) {
                brokenId.set(a.workerId());
                a.breakTensorLink();
            }
            if (s.step() > 5 && rejoinedAt.get() < 0 && a.workerId() > brokenId.get()) {
                pushesThen.set(a.pushes());
                rejoinedAt.set(s.step());
            }
        }, () -> rejoinedAt.get() >= 0 && version.get() >= rejoinedAt.get() + 5
                && a.pushes() >= pushesThen.get() + 2); // its new link is bound: it takes part in rounds again
        assertTrue(r.stopped(), "training went on after the link died");
        assertTrue(a.workerId() >= 2, "the worker joined again under a new id: " + a.workerId());
        List<String> rows = Files.readAllLines(c.out.resolve("metrics.csv"));
        int workersCol = List.of(MetricsLog.HEADER.split(",")).indexOf("workers");
        assertEquals("2", rows.getLast().split(",")[workersCol], "the worker took part again: " + rows.getLast());
        a.finished().await(10, TimeUnit.SECONDS); // told that training ended, on its new link
    }
}

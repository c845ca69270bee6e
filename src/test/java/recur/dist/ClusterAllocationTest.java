package recur.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import recur.train.TrainConfig;

/**
 * A warmed-up round in cluster mode (a server and two workers, each a clustered Vert.x instance in this
 * JVM, tensors on the TCP link) allocates at most {@link #BOUND} bytes per worker in the worker's own
 * threads: its compute lane and its link's reader and writer. The model is DistAllocationTest's
 * (341,926 parameters, 1.37 MB a buffer), so one buffer made per round would add 1.37 MB, and the
 * protobuf-built push this replaced made 67 KB a round. Left out: event loops (three Vert.x instances
 * here, under the same thread names) and Hazelcast's threads, which allocate by time rather than by
 * round (docs/performance.md, "Allocation in a distributed round").
 *
 * <p>The bound is the 1 KB, as in DistAllocationTest for local mode. Measured (2026-12-08): 960
 * bytes a round per worker once warmed up (every block after the first ~40 of a 150 s run): the compute lane
 * 296 (the push message and its shard snapshots), the link reader 632 (parsing the weights' protobuf
 * part) and the writer 32. Before the push was written through Netty's cached view of the frame
 * (GradientMessage#writeLinkProto(ByteBuf)) it was 1,176-1,232. The server's listener pauses training
 * at each block boundary, so a block is exactly {@code BLOCK} rounds; like DistAllocationTest this runs
 * in a JVM of its own (pom.xml).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterAllocationTest {
    private static final int WORKERS = 2;
    private static final int BLOCK = 50;
    private static final long BOUND = 1024;
    private static final String LANE = "recur-compute (allocation worker)";

    @Test
    void aWarmedUpClusterRoundReusesItsBuffers() throws Exception {
        TrainConfig c = DistFixtures.config(WORKERS, 8, 1_000_000, null);
        c.hidden = 256;
        c.embedding = 64;
        c.window = 16;
        c.expectWorkers = WORKERS;
        DistJob job = DistFixtures.job(c, DistFixtures.text(100_000));
        int tensorPort = freePort();
        ClusterOptions o = new ClusterOptions(null, "recur-test-" + UUID.randomUUID(), "127.0.0.1", 0,
                DistTiming.of(10_000, 60_000), TensorTransport.TCP, tensorPort);
        String workerLink = "127.0.0.1:" + tensorPort; // a worker's link threads are named after the server
        List<Nodes.Clustered> nodes = new ArrayList<>();
        Semaphore paused = new Semaphore(0);
        Semaphore resume = new Semaphore(0);
        AtomicBoolean stop = new AtomicBoolean();
        try {
            for (int i = 0; i < WORKERS; i++) {
                Nodes.Clustered node = Nodes.clustered(o.vertxOptions(), ClusterConfigs.load(null, o.clusterName()))
                        .await(30, TimeUnit.SECONDS);
                nodes.add(node);
                node.vertx().deployVerticle(new WorkerVerticle(new WorkerVerticle.Setup(o.addresses(), o.timing(),
                        node.nodeId(), "allocation worker", TensorTransport.TCP))).await(30, TimeUnit.SECONDS);
            }
            CompletableFuture<DistResult> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return ClusterCoordinator.train(job, o, s -> {
                        if (s.step() % BLOCK == 0) {
                            paused.release();
                            resume.acquireUninterruptibly();
                        }
                    }, stop::get);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // As in DistAllocationTest: blocks until one is within the bound (the JIT compiles the
            // kernels and the per-round code first), failing if none is in time.
            long deadline = System.nanoTime() + 150_000_000_000L;
            Predicate<Thread> own = t -> t.getName().equals(LANE) || t.getName().equals("recur-link-reader-" + workerLink)
                    || t.getName().equals("recur-link-writer-" + workerLink); // not the server's links: named after the workers' ports
            ThreadAllocation.awaitBlock(paused, run::isDone);
            Map<Thread, Long> before = ThreadAllocation.bytes(own);
            Map<String, Long> perRound;
            long total;
            do {
                resume.release();
                ThreadAllocation.awaitBlock(paused, run::isDone);
                Map<Thread, Long> after = ThreadAllocation.bytes(own);
                perRound = new TreeMap<>();
                total = 0;
                for (Thread t : after.keySet()) {
                    long bytes = ThreadAllocation.since(before, after, t) / BLOCK / WORKERS;
                    perRound.merge(t.getName(), bytes, Long::sum);
                    total += bytes;
                }
                before = after;
            } while (total > BOUND && System.nanoTime() < deadline);
            stop.set(true);
            resume.release();
            DistResult r = run.get(60, TimeUnit.SECONDS);
            assertTrue(r.stopped());
            assertEquals(0, r.skippedSteps());
            assertEquals(3 * WORKERS, before.size(), "each worker's lane, link reader and link writer: " + perRound.keySet());
            System.out.println(job.params().length + " parameters: " + total + " bytes per round per worker in its own"
                    + " threads " + perRound);
            assertTrue(total <= BOUND, "a warmed-up cluster round allocated " + total + " bytes per worker " + perRound);
        } finally {
            resume.release(1000); // never leave the server waiting when the test fails
            stop.set(true);
            for (Nodes.Clustered n : nodes) {
                n.vertx().close().await(20, TimeUnit.SECONDS);
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

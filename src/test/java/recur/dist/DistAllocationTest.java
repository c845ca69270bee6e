package recur.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import recur.train.TrainConfig;

/**
 * A warmed-up distributed round in local mode allocates at most 1 KB per worker: two workers train an
 * LSTM (hidden 256, embedding 64, 8 streams, window 16: 341,926 parameters, 1.37 MB a buffer) and the
 * bytes allocated by every thread of the JVM but the test's own (event loops, Vert.x worker threads,
 * the server's and the workers' compute lanes, JVM service threads) are summed over blocks of 50
 * rounds. Before the buffers were pooled (recur.wire.Pool) this measured 2,071,460 bytes per round per
 * worker; with pooled buffers 2,700; since the compute lanes (no executeBlocking a round) about 890,
 * of which about 620 is Vert.x delivering the round's four messages (docs/performance.md). One buffer
 * allocated per round would add 1.37 MB / 2 workers = 680 KB per round per worker.
 *
 * <p>The server's listener pauses training at each block boundary (the server is inside its update,
 * the workers wait for the next weights) while the test thread reads the counters, so a block is
 * exactly {@code BLOCK} rounds. Heartbeats are slowed to one per 10 s to keep them out of the
 * figure. Like TrainerAllocationTest this runs in a JVM of its own (pom.xml): the Vector API kernels
 * stop allocating only once C2 has compiled them as in a training process.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DistAllocationTest {
    private static final int WORKERS = 2;
    private static final int BLOCK = 50;
    private static final long BOUND = 1024;

    @Test
    void aWarmedUpRoundReusesItsBuffers() throws Exception {
        TrainConfig c = DistFixtures.config(WORKERS, 8, 1_000_000, null);
        c.hidden = 256;
        c.embedding = 64;
        c.window = 16;
        DistJob job = DistFixtures.job(c, DistFixtures.text(100_000));
        assertTrue(job.params().length > 300_000, job.params().length + " parameters");
        Semaphore paused = new Semaphore(0);
        Semaphore resume = new Semaphore(0);
        AtomicBoolean stop = new AtomicBoolean();
        Vertx vertx = Nodes.local(new VertxOptions());
        try {
            Future<DistResult> run = LocalCluster.train(vertx, job, DistTiming.of(10_000, 60_000), s -> {
                if (s.step() % BLOCK == 0) {
                    paused.release();
                    resume.acquireUninterruptibly();
                }
            }, stop::get);
            // Steady state needs the JIT to have compiled the kernels (seconds on a loaded machine):
            // measure successive blocks until one is within the bound, and fail if none is in time.
            long deadline = System.nanoTime() + 120_000_000_000L;
            Thread self = Thread.currentThread(); // only reads the counters
            ThreadAllocation.awaitBlock(paused, run::isComplete);
            Map<Thread, Long> before = ThreadAllocation.bytes(t -> t != self);
            long perRound;
            do {
                resume.release();
                ThreadAllocation.awaitBlock(paused, run::isComplete);
                Map<Thread, Long> after = ThreadAllocation.bytes(t -> t != self);
                long sum = 0;
                for (Thread t : after.keySet()) {
                    sum += ThreadAllocation.since(before, after, t);
                }
                perRound = sum / BLOCK / WORKERS;
                before = after;
            } while (perRound > BOUND && System.nanoTime() < deadline);
            stop.set(true);
            resume.release();
            DistResult r = run.await(60, TimeUnit.SECONDS);
            assertTrue(r.stopped());
            assertEquals(0, r.skippedSteps());
            System.out.println(job.params().length + " parameters: " + perRound + " bytes per round per worker");
            assertTrue(perRound <= BOUND, "a warmed-up round allocated " + perRound + " bytes per worker");
        } finally {
            resume.release(1000); // never leave the server waiting when the test fails
            vertx.close().await();
        }
    }
}
